package io.github.sdagent.agent.watchdog;

import io.github.sdagent.agent.AgentLog;
import io.github.sdagent.agent.config.Durations;
import io.github.sdagent.agent.OneLine;

import java.lang.instrument.Instrumentation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * While the JVM's shutdown hooks run: STATUS names the ones still running
 * ({@code Stopping: waiting for shutdown hooks "jetty-stop", "flush-queue"}), once a second from half a second
 * after shutdown began (hooks that finish sooner change nothing). With {@code stop-extend=30s}, each such round also
 * sends {@code EXTEND_TIMEOUT_USEC} so systemd's TimeoutStopSec= follows the hooks, but never past 30 s after
 * shutdown began: a hook that never ends is still killed, at that bound.
 */
public final class StopProgress {

    static final long FIRST_ROUND_MILLIS = 500;
    static final long ROUND_MILLIS = 1000;
    /** Each extension reaches this far (past the next round, with slack for a busy machine). */
    static final long EXTEND_STEP_MILLIS = 3000;

    private final Notifications notifications;
    private final Duration bound;
    private final Instrumentation inst;
    private final AgentLog log;
    private final AtomicBoolean begun = new AtomicBoolean();
    private volatile Map<Thread, Thread> hooks;
    private long begunNanos;
    private String lastStatus;
    private boolean boundReached;
    private volatile ScheduledFuture<?> schedule;

    /** @param bound {@code stop-extend}, or null: STATUS only, no extension */
    public StopProgress(Notifications notifications, Duration bound, Instrumentation inst, AgentLog log) {
        this.notifications = notifications;
        this.bound = bound;
        this.inst = inst;
        this.log = log;
    }

    /**
     * With {@code stop-extend}: finds the JDK's hook registry now, on the agent thread, so that a shutdown that
     * begins without the SIGTERM notice (System.exit, a replaced signal handler) still finds it.
     */
    public void prepare() {
        if (bound != null && hooks == null) {
            hooks = ShutdownHooks.registered(inst);
        }
    }

    /** {@link #begin} as a task for ShutdownNotice (a class, not a lambda: see AgentMain#DAEMON). */
    public Runnable beginTask() {
        return new Runnable() {
            @Override
            public void run() {
                begin();
            }
        };
    }

    /** Called as shutdown begins (SIGTERM notice or the agent's shutdown hook); only the first call counts. */
    public void begin() {
        if (!begun.compareAndSet(false, true)) {
            return;
        }
        try {
            begunNanos = System.nanoTime();
            Map<Thread, Thread> found = ShutdownHooks.registered(inst);
            if (found != null) {
                hooks = found;
            }
            schedule = notifications.executor().scheduleWithFixedDelay(new Runnable() {
                @Override
                public void run() {
                    try {
                        round();
                    } catch (Throwable t) {
                        log.warn("shutdown progress stopped: " + OneLine.summary(t));
                        schedule.cancel(false);
                    }
                }
            }, FIRST_ROUND_MILLIS, ROUND_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Throwable t) { // the agent thread is gone (RejectedExecution) or worse: the stop goes on without us
            log.debug("no shutdown progress: " + OneLine.summary(t));
        }
    }

    void round() {
        Map<Thread, Thread> registered = hooks;
        String status;
        if (registered != null) {
            List<Thread> running = ShutdownHooks.running(registered);
            if (running.isEmpty()) {
                schedule.cancel(false);
                return;
            }
            status = "Stopping: waiting for shutdown hooks " + names(running);
        } else {
            status = "Stopping: waiting for shutdown hooks";
        }
        if (!status.equals(lastStatus)) {
            lastStatus = status;
            notifications.sendNow("STATUS=" + OneLine.of(status));
            log.info(status);
        }
        if (bound != null) {
            extend();
        }
    }

    private void extend() {
        long remainingMillis = bound.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begunNanos);
        if (remainingMillis > 0) {
            long step = Math.min(EXTEND_STEP_MILLIS, remainingMillis);
            notifications.sendNow("EXTEND_TIMEOUT_USEC=" + step * 1000);
        } else if (!boundReached) {
            boundReached = true;
            log.warn("stop-extend=" + Durations.format(bound) + " reached with shutdown hooks still running: "
                    + "no more EXTEND_TIMEOUT_USEC, systemd will kill the service");
        }
    }

    static String names(List<Thread> threads) {
        StringBuilder names = new StringBuilder();
        for (Thread thread : threads) {
            names.append(names.length() == 0 ? "" : ", ").append('"').append(thread.getName()).append('"');
        }
        return names.toString();
    }
}
