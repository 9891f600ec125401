package io.github.sdagent.agent.watchdog;

import io.github.sdagent.agent.config.AgentConfig;
import io.github.sdagent.agent.AgentLog;
import io.github.sdagent.agent.config.Durations;
import io.github.sdagent.agent.OneLine;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends WATCHDOG=1 from the agent thread at half of WATCHDOG_USEC (sd_watchdog_enabled(3) advice), or at
 * {@code watchdog-interval=}, never more often than {@link WatchdogOptions#MIN_PING_INTERVAL}. The ping itself asks
 * nothing: it reads the verdict the {@link HealthMonitor} left on its own thread, so a slow check can delay a
 * verdict but never a ping.
 */
public final class Watchdog {

    private final Notifications notifications;
    private final HealthMonitor monitor;
    private final AgentLog log;
    private volatile String lastRoundFailure;

    /** @param monitor null when no health check is on: every round pings */
    public Watchdog(Notifications notifications, HealthMonitor monitor, AgentLog log) {
        this.notifications = notifications;
        this.monitor = monitor;
        this.log = log;
    }

    /**
     * The ping interval, or null for "do not ping": {@code watchdog=off}, or systemd expects no pings
     * (WATCHDOG_USEC absent or for another pid: {@code watchdogUsec == 0}).
     */
    public static Duration interval(long watchdogUsec, AgentConfig config, AgentLog log) {
        if (!config.watchdog() || watchdogUsec <= 0) {
            return null;
        }
        Duration limit = Duration.ofNanos(Math.min(watchdogUsec, Long.MAX_VALUE / 1000) * 1000);
        Duration configured = config.watchdogInterval();
        Duration interval = limit.dividedBy(2);
        if (configured != null && configured.compareTo(limit) >= 0) {
            log.warn("watchdog-interval=" + Durations.format(configured) + " is not shorter than the unit's WatchdogSec ("
                    + Durations.format(limit) + "): systemd will kill the service; using " + Durations.format(interval));
        } else if (configured != null) {
            interval = configured;
        }
        if (interval.compareTo(WatchdogOptions.MIN_PING_INTERVAL) < 0) {
            log.warn("WATCHDOG_USEC=" + watchdogUsec + " (WatchdogSec=" + Durations.format(limit) + ") asks for a ping every "
                    + Durations.format(interval) + "; the agent pings every " + Durations.format(WatchdogOptions.MIN_PING_INTERVAL)
                    + " at most, so systemd may kill the service: give WatchdogSec= at least 1s");
            interval = WatchdogOptions.MIN_PING_INTERVAL;
        }
        if (interval.compareTo(WatchdogOptions.MAX_INTERVAL) > 0) {
            interval = WatchdogOptions.MAX_INTERVAL;
        }
        return interval;
    }

    public ScheduledFuture<?> start(ScheduledExecutorService executor, Duration interval) {
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
        }, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Says once per kind of failure that a round failed; the next round comes at its usual time (issue 15). */
    private void roundFailed(Throwable failure) {
        try {
            String problem = "a WATCHDOG=1 round failed (" + OneLine.summary(failure) + "); the next one follows as usual";
            if (!problem.equals(lastRoundFailure)) {
                lastRoundFailure = problem;
                log.warn(problem);
            }
        } catch (Throwable evenThatFailed) {
            // still out of memory: the next round tries again
        }
    }

    /** One round: ping unless the health monitor holds the JVM unhealthy. Returns whether it pinged. */
    public boolean tick() {
        if (monitor != null && !monitor.healthy()) {
            return false;
        }
        return notifications.sendNow("WATCHDOG=1");
    }
}
