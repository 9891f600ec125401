package io.github.sdagent.agent;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends WATCHDOG=1 from the agent's daemon thread at half of WATCHDOG_USEC (sd_watchdog_enabled(3) advice), or at
 * {@code watchdog-interval=}. Before each ping it asks its {@link HealthCheck}s; an unhealthy JVM is not pinged.
 */
final class Watchdog {

    private final Notifier notifier;
    private final List<HealthCheck> checks;
    private final AgentLog log;
    private volatile String lastProblem;
    private volatile String lastRoundFailure;

    Watchdog(Notifier notifier, List<HealthCheck> checks, AgentLog log) {
        this.notifier = notifier;
        this.checks = checks;
        this.log = log;
    }

    /**
     * The ping interval, or null for "do not ping": {@code watchdog=off}, or systemd expects no pings
     * (WATCHDOG_USEC absent or for another pid: {@code watchdogUsec == 0}).
     */
    static Duration interval(long watchdogUsec, AgentConfig config, AgentLog log) {
        if (!config.watchdog() || watchdogUsec <= 0) {
            return null;
        }
        Duration limit = Duration.ofNanos(watchdogUsec * 1000);
        Duration configured = config.watchdogInterval();
        if (configured == null) {
            return limit.dividedBy(2);
        }
        if (configured.compareTo(limit) >= 0) {
            log.warn("watchdog-interval=" + Durations.format(configured) + " is not shorter than the unit's WatchdogSec ("
                    + Durations.format(limit) + "): systemd will kill the service; using " + Durations.format(limit.dividedBy(2)));
            return limit.dividedBy(2);
        }
        return configured;
    }

    ScheduledFuture<?> start(ScheduledExecutorService executor, Duration interval) {
        long nanos = interval.toNanos();
        return executor.scheduleAtFixedRate(new Runnable() { // no lambda: see AgentMain#DAEMON
            @Override
            public void run() {
                try {
                    tick();
                } catch (Throwable failure) {
                    // A periodic task that throws is never run again, and a watchdog that stops pinging gets the
                    // service killed: an OutOfMemoryError of the application's making reaches this thread too.
                    roundFailed(failure);
                }
            }
        }, 0, nanos, TimeUnit.NANOSECONDS);
    }

    /** Says once per kind of failure that a round failed; the next round comes at its usual time. */
    private void roundFailed(Throwable failure) {
        try {
            String problem = "a WATCHDOG=1 round failed (" + OneLine.summary(failure) + "); the next one follows as usual";
            if (!problem.equals(lastRoundFailure)) {
                lastRoundFailure = problem;
                log.warn(problem);
            }
        } catch (Throwable evenThatFailed) {
            // out of memory still: the next round tries again
        }
    }

    /** One round: ping when every check is healthy. Returns whether it pinged. */
    boolean tick() {
        for (HealthCheck check : checks) {
            String problem;
            try {
                problem = check.problem();
            } catch (RuntimeException e) {
                problem = "health check " + check + " threw " + OneLine.summary(e);
            }
            if (problem != null) {
                if (!problem.equals(lastProblem)) {
                    lastProblem = problem;
                    log.warn("unhealthy, not sending WATCHDOG=1: " + OneLine.of(problem));
                }
                return false;
            }
        }
        if (lastProblem != null) {
            lastProblem = null;
            log.info("healthy again, WATCHDOG=1 resumes");
        }
        return notifier.sendNow("WATCHDOG=1");
    }
}
