package io.github.sdagent.agent;

import java.io.IOException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Sends notifications on the agent's own thread, so an application thread (a hook firing inside Server#start) never
 * waits for a socket or for JNA to load, and messages keep their order. A failure is reported once per distinct
 * reason, not on every watchdog ping.
 */
final class Notifier implements io.github.sdagent.agent.watchdog.Notifications {

    /** The wire: {@code Daemon.notify(false, assignments)} in production, a recorder in tests. */
    @FunctionalInterface
    interface Sender {
        boolean send(String... assignments) throws IOException;
    }

    private final Sender sender;
    private final ScheduledExecutorService executor;
    private final AgentLog log;
    private volatile String lastFailure;
    private volatile boolean warm;

    Notifier(Sender sender, ScheduledExecutorService executor, AgentLog log) {
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

    /** True once a notification has gone out: JNA is loaded and sending is a single system call. */
    boolean isWarm() {
        return warm;
    }

    /** Queues the message for the agent thread and returns at once. */
    @Override
    public void post(String... assignments) {
        run(new Send(this, null, assignments));
    }

    /** Queues a message that is built on the agent thread (keeps formatting off the caller's thread). */
    void post(Supplier<String[]> message) {
        run(new Send(this, message, null));
    }

    /** Sends the message on the agent thread after {@code delayMillis}. */
    void postLater(long delayMillis, String... assignments) {
        executor.schedule(new Send(this, null, assignments), delayMillis, TimeUnit.MILLISECONDS);
    }

    /** Queues the message behind anything already queued and waits for it, at most {@code timeoutMillis}. */
    void postAndWait(long timeoutMillis, String... assignments) {
        try {
            Future<?> sent = executor.submit(new Send(this, null, assignments));
            sent.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception stuckOrShutDown) {
            sendNow(assignments);
        }
    }

    /** One queued message: given, or built by a supplier on the agent thread. A class: see AgentMain#DAEMON. */
    private static final class Send implements Runnable {
        private final Notifier notifier;
        private final Supplier<String[]> message;
        private final String[] assignments;

        Send(Notifier notifier, Supplier<String[]> message, String[] assignments) {
            this.notifier = notifier;
            this.message = message;
            this.assignments = assignments;
        }

        @Override
        public void run() {
            notifier.sendNow(message != null ? message.get() : assignments);
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
            String failure = OneLine.summary(e);
            if (!failure.equals(lastFailure)) {
                lastFailure = failure;
                log.warn("could not send " + assignments[0] + " to systemd: " + failure);
            }
            return false;
        }
    }
}
