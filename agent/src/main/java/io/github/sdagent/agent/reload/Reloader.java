package io.github.sdagent.agent.reload;

import io.github.sdagent.agent.AgentLog;
import io.github.sdagent.agent.OneLine;
import io.github.sdagent.agent.hooks.CallTarget;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * systemd's reload protocol around the application's reload method. For each reload signal, on an agent thread:
 * {@code RELOADING=1} with {@code MONOTONIC_USEC=} (what {@code Type=notify-reload} waits for; under
 * {@code Type=notify} it moves the unit to "reloading" as well), the reload method on a thread of its own with a
 * timeout, then {@code READY=1} with a STATUS saying when and how long, or why it failed. READY=1 is sent in every
 * case (failure, timeout), so systemd never stays in "reloading"; failures are in STATUS (and ERRNO= where an errno
 * means something: ETIMEDOUT, EBUSY) and on stderr.
 *
 * <p>Reloads are serialised. Signals that arrive while a reload runs are coalesced into one more reload after it:
 * the running call may already have read the configuration before the change that the new signal announces, so
 * dropping them could lose a change, while one reload that starts after all of them sees every change (and each
 * signal's sender, systemd included, gets a RELOADING=1 stamped after its signal, followed by READY=1). A reload
 * requested before the service is ready runs once it is ready (the start-up may have read the configuration before
 * the change); one requested during shutdown is not run. While a timed-out call is still running, a new reload does
 * not call the method a second time beside it: it completes the protocol at once with EBUSY.
 */
public final class Reloader {

    /** What a reload needs from the rest of the agent; AgentMain adapts its Lifecycle and Notifier. */
    public interface Service {
        /** READY=1 has been sent (or queued before anything this reloader sends). */
        boolean isReady();

        /** STOPPING=1 has been sent or queued. */
        boolean isStopping();

        /** Queues one notification on the agent's notify thread, in order with everything else it sends. */
        void send(String... assignments);
    }

    static final long READY_POLL_MILLIS = 100;
    static final int ETIMEDOUT = 110;
    static final int EBUSY = 16;

    private final CallTarget target;
    private final String signal;
    private final Duration timeout;
    private final Service service;
    private final AgentLog log;

    // guarded by this
    private boolean running;
    private boolean pending;
    private Attempt stillRunning;
    private boolean errnoSent;

    public Reloader(CallTarget target, String signal, Duration timeout, Service service, AgentLog log) {
        this.target = target;
        this.signal = "SIG" + signal;
        this.timeout = timeout;
        this.service = service;
        this.log = log;
    }

    /** The signal handler's task, on the JVM's signal thread: hands over to an agent thread and returns at once. */
    public Runnable requestTask() {
        return new Runnable() {
            @Override
            public void run() {
                try {
                    request();
                } catch (Throwable t) { // e.g. no thread could be started: the next signal tries again
                    synchronized (Reloader.this) {
                        running = false;
                        pending = false;
                    }
                    log.error(signal + ": could not start the reload: " + OneLine.summary(t));
                }
            }
        };
    }

    void request() {
        synchronized (this) {
            if (running) {
                pending = true; // coalesced: one more reload once the current one is done
                return;
            }
            running = true;
        }
        Thread thread = new Thread(new Runnable() {
            @Override
            public void run() {
                reloadWhileRequested();
            }
        }, "sd-agent-reload");
        thread.setDaemon(true);
        thread.start();
    }

    private void reloadWhileRequested() {
        try {
            boolean again = true;
            while (again) {
                reloadOnce();
                synchronized (this) {
                    again = pending;
                    pending = false;
                    running = again;
                }
            }
        } catch (Throwable t) {
            synchronized (this) {
                running = false;
                pending = false;
            }
            log.error("reload thread failed, the reload may be incomplete: " + OneLine.summary(t));
        }
    }

    private void reloadOnce() throws InterruptedException {
        if (service.isStopping()) {
            log.info(signal + " during shutdown: no reload");
            return;
        }
        String requested = "";
        if (!service.isReady()) {
            log.info(signal + " while starting: the reload runs once the service is ready");
            // Polled (rarely needed, and the Lifecycle stays untouched); ends with READY=1 or STOPPING=1.
            while (!service.isReady()) {
                if (service.isStopping()) {
                    log.info(signal + " during shutdown: no reload");
                    return;
                }
                Thread.sleep(READY_POLL_MILLIS);
            }
            requested = ", requested while starting";
        }
        long begin = System.nanoTime();
        String at = LocalTime.now().withNano(0).format(DateTimeFormatter.ISO_LOCAL_TIME);
        // MONOTONIC_USEC must be CLOCK_MONOTONIC and not earlier than the moment systemd sent the signal (else
        // Type=notify-reload ignores this RELOADING=1). System.nanoTime() is CLOCK_MONOTONIC on Linux: HotSpot's
        // os::javaTimeNanos reads clock_gettime(CLOCK_MONOTONIC), and it is read here, after the signal arrived.
        // ReloadIT#reloadingCarriesClockMonotonicMicrosecondsThenReady checks it against clock_gettime across processes.
        service.send("RELOADING=1", "MONOTONIC_USEC=" + begin / 1000,
                "STATUS=Reloading (" + signal + ", " + target.spec() + ")");
        Attempt previous;
        synchronized (this) {
            previous = stillRunning;
        }
        if (previous != null) {
            String why = "the call of " + target.spec() + " started at " + previous.at + " has not returned";
            log.warn(signal + ": reload not run: " + why);
            finish(EBUSY, "Reload not run at " + at + ": " + why);
            return;
        }
        ReloadMethod.Call call;
        try {
            call = ReloadMethod.find(target);
        } catch (ReloadMethod.Unavailable e) {
            log.error(signal + ": reload failed: " + e.getMessage());
            finish(0, "Reload failed at " + at + ": " + OneLine.of(e.getMessage()));
            return;
        }
        Attempt attempt = new Attempt(call, at, begin);
        Thread thread = new Thread(attempt, "sd-agent-reload-call");
        thread.setDaemon(true); // a hanging reload method must not keep the JVM from exiting
        thread.setContextClassLoader(call.loader()); // as if the application had called it itself
        thread.start();
        if (!attempt.done.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            synchronized (this) {
                stillRunning = attempt;
            }
            String why = target.spec() + " has not returned after " + seconds(timeout.toNanos())
                    + " (reload-timeout) and is still running";
            log.error(signal + ": reload timed out: " + why);
            finish(ETIMEDOUT, "Reload timed out at " + at + requested + ": " + why);
            attempt.abandon();
            return;
        }
        String took = seconds(System.nanoTime() - begin);
        if (attempt.failure != null) {
            log.error(signal + ": " + target.spec() + " failed after " + took + ": " + OneLine.summary(attempt.failure));
            finish(0, "Reload failed at " + at + " after " + took + requested + ": " + OneLine.summary(attempt.failure));
        } else {
            log.info("Reloaded at " + at + " in " + took + " (" + signal + ", " + target.spec() + ")");
            finish(0, "Reloaded at " + at + " in " + took + " (" + target.spec() + requested + ")");
        }
    }

    /** READY=1 and the STATUS, unless the JVM is stopping by now (READY=1 after STOPPING=1 would confuse systemd). */
    private void finish(int errno, String status) {
        if (service.isStopping()) {
            log.info("reload finished during shutdown: " + status);
            return;
        }
        boolean sendErrno;
        synchronized (this) {
            sendErrno = errno != 0 || errnoSent; // ERRNO=0 clears an earlier failure's errno in systemctl status
            errnoSent = errno != 0;
        }
        if (sendErrno) {
            service.send("READY=1", "STATUS=" + status, "ERRNO=" + errno);
        } else {
            service.send("READY=1", "STATUS=" + status);
        }
    }

    /** A call that outlived its timeout has ended: say so, and allow the next reload to call the method again. */
    void lateEnd(Attempt attempt) {
        synchronized (this) {
            if (stillRunning == attempt) {
                stillRunning = null;
            }
        }
        String took = seconds(System.nanoTime() - attempt.begin);
        String outcome = attempt.failure == null ? "returned" : "failed (" + OneLine.summary(attempt.failure) + ")";
        log.warn(target.spec() + " (reload at " + attempt.at + ") " + outcome + " after " + took
                + ", later than reload-timeout");
        if (!service.isStopping()) {
            service.send("STATUS=Reload of " + attempt.at + " " + (attempt.failure == null ? "finished" : "failed")
                    + " late, after " + took + " (" + target.spec() + ")");
        }
    }

    /** {@code 0.25 s}: plain arithmetic (as Lifecycle's ready status). */
    static String seconds(long nanos) {
        long centis = (nanos / 1_000_000L + 5) / 10;
        long fraction = centis % 100;
        return centis / 100 + "." + (fraction < 10 ? "0" : "") + fraction + " s";
    }

    /** One call of the application's reload method, on its own thread; done when it (and a returned future) ended. */
    final class Attempt implements Runnable {
        final ReloadMethod.Call call;
        final String at;
        final long begin;
        final CountDownLatch done = new CountDownLatch(1);
        volatile Throwable failure;
        private boolean abandoned; // guarded by this attempt
        private boolean ended;

        Attempt(ReloadMethod.Call call, String at, long begin) {
            this.call = call;
            this.at = at;
            this.begin = begin;
        }

        @Override
        public void run() {
            try {
                awaitCompletion(call.invoke());
            } catch (Throwable t) {
                failure = t;
            }
            boolean late;
            synchronized (this) {
                ended = true;
                late = abandoned;
            }
            done.countDown();
            if (late) {
                lateEnd(this);
            }
        }

        void abandon() {
            boolean endedMeanwhile;
            synchronized (this) {
                abandoned = true;
                endedMeanwhile = ended;
            }
            if (endedMeanwhile) {
                lateEnd(this);
            }
        }
    }

    /** A reload method may start the work and return a future: the reload is done when that completes. */
    static void awaitCompletion(Object returned) throws Throwable {
        if (returned instanceof CompletionStage) {
            CountDownLatch completed = new CountDownLatch(1);
            Throwable[] failure = new Throwable[1];
            ((CompletionStage<?>) returned).whenComplete(new BiConsumer<Object, Throwable>() {
                @Override
                public void accept(Object value, Throwable thrown) {
                    failure[0] = thrown instanceof CompletionException && thrown.getCause() != null
                            ? thrown.getCause() : thrown;
                    completed.countDown();
                }
            });
            completed.await();
            if (failure[0] != null) {
                throw failure[0];
            }
        } else if (returned instanceof Future) {
            try {
                ((Future<?>) returned).get();
            } catch (ExecutionException e) {
                throw e.getCause() != null ? e.getCause() : e;
            }
        }
    }
}
