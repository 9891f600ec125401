package io.github.sdagent.agent.watchdog;

import io.github.sdagent.agent.config.AgentConfig;
import io.github.sdagent.agent.AgentLog;
import io.github.sdagent.agent.config.Durations;

import java.lang.instrument.Instrumentation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts what is configured and needed, on the agent thread once the agent has started (never in premain): the
 * pings and the health checks only when systemd expects pings (WATCHDOG_USEC), start-up progress only while a ready
 * hook is awaited, the status line only with {@code status-interval=}. Nothing else runs, loads or starts a thread.
 */
public final class WatchdogFeatures {

    private WatchdogFeatures() {
    }

    public static void start(AgentConfig config, long watchdogUsec, Notifications notifications, ServiceState state,
                             Instrumentation inst, AgentLog log) {
        WatchdogOptions options = config.watchdogOptions();
        HealthMonitor monitor = null;
        Duration interval = watchdogUsec > 0 && config.watchdog() ? Watchdog.interval(watchdogUsec, config, log) : null;
        if (interval != null) {
            if (anyCheck(options)) { // the checks themselves are built on the health thread: see HealthMonitor.Checks
                monitor = new HealthMonitor(new ConfiguredChecks(options, state, inst, log), notifications, state,
                        options.action(), log);
                Duration rounds = interval.compareTo(WatchdogOptions.MIN_CHECK_INTERVAL) < 0
                        ? WatchdogOptions.MIN_CHECK_INTERVAL : interval;
                monitor.start(rounds);
                log.debug("health checks every " + Durations.format(rounds));
            }
            log.debug("watchdog: WATCHDOG=1 every " + Durations.format(interval));
            new Watchdog(notifications, monitor, log).start(notifications.executor(), interval);
        }
        // Whenever READY waits for something (hooks, ready=auto, listen:/http:/log:), not for ready=start.
        if (options.startExtend() != null && !config.readySpec().start() && !state.isReady()) {
            new StartProgress(notifications, state, options.startExtend(), options.startProgressFile(), log)
                    .start(notifications.executor());
        }
        if (options.statusInterval() != null) {
            new StatusLine(notifications, state, monitor, log).start(notifications.executor(), options.statusInterval().toNanos());
        }
    }

    /** Whether {@link #checks} returns any, without building them. */
    static boolean anyCheck(WatchdogOptions options) {
        return options.deadlockCheck() || options.gcOverheadPercent() > 0 || options.heapAfterGcPercent() > 0
                || options.health() != null;
    }

    /** {@link #checks}, for the health thread's first round (a class, not a lambda: see AgentMain#DAEMON). */
    private static final class ConfiguredChecks implements HealthMonitor.Checks {
        private final WatchdogOptions options;
        private final ServiceState state;
        private final Instrumentation inst;
        private final AgentLog log;

        ConfiguredChecks(WatchdogOptions options, ServiceState state, Instrumentation inst, AgentLog log) {
            this.options = options;
            this.state = state;
            this.inst = inst;
            this.log = log;
        }

        @Override
        public List<HealthCheck> create() {
            return checks(options, state, inst, log);
        }
    }

    static List<HealthCheck> checks(WatchdogOptions options, ServiceState state, Instrumentation inst, AgentLog log) {
        List<HealthCheck> checks = new ArrayList<>();
        if (options.deadlockCheck()) {
            checks.add(new DeadlockCheck());
        }
        if (options.gcOverheadPercent() > 0 || options.heapAfterGcPercent() > 0) {
            checks.add(new GcOverheadCheck(options.gcOverheadPercent(), options.gcWindow().toNanos(),
                    Durations.format(options.gcWindow()), options.heapAfterGcPercent()));
        }
        String health = options.health();
        if (health != null) {
            HealthCheck probe = health.startsWith("http://") || health.startsWith("https://")
                    ? new HttpCheck(health, options.healthTimeout())
                    : new MethodCheck(health, inst, options.healthTimeout(), log);
            checks.add(new ProbeGate(probe, state, options.healthGrace().toNanos(), options.healthFailures(), log));
        }
        return checks;
    }
}
