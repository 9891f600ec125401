package io.github.sdagent.agent.lifecycle;

import io.github.sdagent.agent.OneLine;

import io.github.sdagent.agent.AgentLog;

import java.io.IOException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sends notifications on the agent's own thread, so an application thread (a hook firing inside Server#start) never
 * waits for a socket or for JNA to load, and messages keep their order. A failure is reported once per distinct
 * reason, not on every watchdog ping.
 */
public final class Notifier implements io.github.sdagent.agent.watchdog.Notifications {

    /** The wire: {@code Daemon.notify(false, assignments)} in production, a recorder in tests. */
    @FunctionalInterface
    public interface Sender {
        boolean send(String... assignments) throws IOException;
    }

    private final Sender sender;
    private final ScheduledExecutorService executor;
    private final AgentLog log;
    private volatile String lastFailure;
    private volatile boolean warm;
    private volatile boolean failedOnce;

    public Notifier(Sender sender, ScheduledExecutorService executor, AgentLog log) {
        this.sender = sender;
        this.executor = executor;
        this.log = log;
    }

    @Override
    public ScheduledExecutorService executor() {
        return executor;
    }

    /** Runs {@code task} on the agent thread (inline once that thread is gone, at JVM exit). */
    void run(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException shutDown) {
            task.run();
        }
    }

    /** True once a send has failed: systemd (or the path to it) may be slow, so nobody should wait on it for long. */
    boolean hasFailed() {
        return failedOnce;
    }

    /** True once a notification has gone out: JNA is loaded and sending is a single system call. */
    boolean isWarm() {
        return warm;
    }

    private volatile boolean held;

    /**
     * Until {@link #releaseDirectSends}, an application thread never sends itself ({@link #canSendDirectly} is false),
     * so its READY=1 queues behind the agent's own set-up (the watchdog): systemd and the application may act on
     * READY=1 at once (an application that then fills its heap must find the watchdog running).
     */
    public void holdDirectSends() {
        held = true;
    }

    public void releaseDirectSends() {
        held = false;
    }

    /** Warm and not held: a READY=1 may go out right on the application's thread, one system call. */
    boolean canSendDirectly() {
        return warm && !held;
    }

    /** Queues the message for the agent thread and returns at once. */
    @Override
    public void post(String... assignments) {
        run(new Send(this, assignments));
    }

    /**
     * Queues the message behind anything already queued and waits for it, at most {@code timeoutMillis}; never
     * longer, whatever systemd does: a stopping JVM must not wait on a slow receiver. A message not sent by then
     * stays queued and goes out if the JVM lives long enough.
     */
    void postAndWait(long timeoutMillis, String... assignments) {
        try {
            Future<?> sent = executor.submit(new Send(this, assignments));
            sent.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception stuckOrShutDown) {
            // not on this thread: a send may wait for the receiver's queue (SO_SNDTIMEO), past our bound
        }
    }

    /** One queued message. A class: see AgentMain#DAEMON. */
    private static final class Send implements Runnable {
        private final Notifier notifier;
        private final String[] assignments;

        Send(Notifier notifier, String[] assignments) {
            this.notifier = notifier;
            this.assignments = assignments;
        }

        @Override
        public void run() {
            notifier.sendNow(assignments);
        }
    }

    /** Sends on the calling thread; true when systemd was told. Never throws. */
    @Override
    public boolean sendNow(String... assignments) {
        try {
            boolean sent = sender.send(assignments);
            lastFailure = null;
            warm = sent;
            return sent;
        } catch (IOException | RuntimeException | LinkageError e) {
            // Said once per message kind and reason: a failing ping every few seconds must not flood stderr, but a
            // READY=1 that failed for the same reason as the STATUS before it must still be told.
            failedOnce = true;
            String failure = "could not send " + assignments[0] + " to systemd: " + OneLine.summary(e);
            if (!failure.equals(lastFailure)) {
                lastFailure = failure;
                log.warn(failure);
            }
            return false;
        }
    }
}
