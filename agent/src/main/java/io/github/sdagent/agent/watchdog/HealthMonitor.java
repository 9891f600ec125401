package io.github.sdagent.agent.watchdog;

import io.github.sdagent.agent.config.AgentConfig;
import io.github.sdagent.agent.AgentLog;
import io.github.sdagent.agent.config.Durations;
import io.github.sdagent.agent.OneLine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the health checks, one round per interval on its own "sd-agent-health" thread, and keeps the verdict the
 * ping thread reads. On the way to unhealthy it says why in STATUS ({@code Unhealthy: <cause>}) and then sends
 * {@code WATCHDOG=trigger} ({@code watchdog-action=trigger}, the default) or merely stops the pings
 * ({@code skip}: WatchdogSec= then expires). On the way back it says so in STATUS and the pings resume.
 */
public final class HealthMonitor {

    static final String UNHEALTHY = "Unhealthy: ";

    private final Checks pending;
    private List<HealthCheck> checks; // the health thread's alone once started
    private final Notifications notifications;
    private final ServiceState state;
    private final AgentConfig.WatchdogAction action;
    private final AgentLog log;
    private volatile String problem;
    private long unhealthySinceNanos;
    private String lastRoundFailure; // the health thread's alone
    private ThreadMXBean cpuClock; // only at log-level=debug: the CPU each round costs

    public HealthMonitor(List<HealthCheck> checks, Notifications notifications, ServiceState state,
                         AgentConfig.WatchdogAction action, AgentLog log) {
        this((Checks) null, notifications, state, action, log);
        this.checks = checks;
    }

    /**
     * The checks, built by the first round on the health thread rather than by the caller: most of them load
     * java.lang.management (about 60 classes, and the JDK's lambdas in its MBean lookup, on JDK 25 more), which is
     * CPU the application's start-up would pay for, and READY=1 waits for the agent's set-up (Notifier#holdDirectSends).
     * The pings never depend on it: until a round has judged, the monitor is healthy.
     */
    public interface Checks {
        List<HealthCheck> create();
    }

    /** @param checks builds the checks at the first round; a round that fails to build them leaves it to the next */
    public HealthMonitor(Checks checks, Notifications notifications, ServiceState state,
                         AgentConfig.WatchdogAction action, AgentLog log) {
        this.pending = checks;
        this.notifications = notifications;
        this.state = state;
        this.action = action;
        this.log = log;
    }

    /** True unless the last round found a problem. Read by the ping thread. */
    public boolean healthy() {
        return problem == null;
    }

    /** The current cause, or null. */
    public String problem() {
        return problem;
    }

    /**
     * Starts the rounds on a new daemon thread "sd-agent-health", the first one interval from now: a check judges
     * nothing in the JVM's first moments (the GC overhead needs a whole window, a probe has its grace, a deadlock is
     * one for good), and the checks' set-up then stays off the application's start-up.
     */
    public ScheduledExecutorService start(Duration interval) {
        ScheduledExecutorService thread = AgentThreads.single("sd-agent-health");
        thread.scheduleWithFixedDelay(new Runnable() {
            @Override
            public void run() {
                try {
                    round();
                } catch (Throwable t) { // never let the thread die silently: the next round tries again
                    roundFailed(t);
                }
            }
        }, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
        return thread;
    }

    /**
     * Says once per kind of failure that a round failed (a JVM without the java.management module fails every round
     * the same way when it builds the checks; the pings go on regardless).
     */
    void roundFailed(Throwable failure) {
        try {
            String problem = "health round failed: " + OneLine.summary(failure);
            if (!problem.equals(lastRoundFailure)) {
                lastRoundFailure = problem;
                log.warn(problem);
            }
        } catch (Throwable evenThatFailed) {
            // out of memory: the next round tries again
        }
    }

    /** One round: every check is asked (probe checks count consecutive failures); the first problem wins. */
    public void round() {
        if (state.isStopping()) {
            return; // a JVM on its way out is not restarted for what its shutdown looks like
        }
        long cpuBefore = debugCpu();
        if (checks == null) {
            checks = pending.create(); // thrown (out of memory): said by the caller; the next round tries again
            log.debug("health checks: " + checks);
        }
        String found = null;
        for (HealthCheck check : checks) {
            String cause;
            try {
                cause = check.problem();
            } catch (RuntimeException e) {
                cause = "health check " + check + " failed: " + OneLine.summary(e);
            }
            if (found == null && cause != null) {
                found = OneLine.of(cause);
            }
        }
        if (cpuBefore >= 0) {
            log.debug("health round: " + (debugCpu() - cpuBefore) / 1000 + " us CPU, " + (found == null ? "healthy" : found));
        }
        verdict(found);
    }

    private long debugCpu() {
        if (!log.enabled(AgentLog.Level.DEBUG)) {
            return -1;
        }
        if (cpuClock == null) {
            cpuClock = ManagementFactory.getThreadMXBean();
        }
        return cpuClock.isCurrentThreadCpuTimeSupported() ? cpuClock.getCurrentThreadCpuTime() : -1;
    }

    private void verdict(String found) {
        String previous = problem;
        if (found != null) {
            boolean first = previous == null;
            if (first) {
                unhealthySinceNanos = System.nanoTime();
            }
            problem = found; // before the STATUS is queued: the status line never overwrites it
            if (!found.equals(previous)) {
                notifications.post("STATUS=" + UNHEALTHY + found);
            }
            if (first) {
                boolean trigger = action == AgentConfig.WatchdogAction.TRIGGER;
                log.warn("unhealthy: " + found + (trigger ? "; sending WATCHDOG=trigger" : "; no more WATCHDOG=1 until healthy"));
                if (trigger) {
                    notifications.post("WATCHDOG=trigger");
                }
            }
        } else if (previous != null) {
            Duration lasted = Duration.ofNanos(System.nanoTime() - unhealthySinceNanos);
            String recovered = "Healthy again after " + Durations.format(Duration.ofSeconds(Math.max(1, lasted.getSeconds())))
                    + " (was: " + previous + ")";
            problem = null;
            log.info(recovered + "; WATCHDOG=1 resumes");
            notifications.post("STATUS=" + OneLine.of(recovered));
        }
    }
}
