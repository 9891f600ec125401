package io.github.sdagent.agent.watchdog;

import io.github.sdagent.agent.config.AgentConfig;
import io.github.sdagent.agent.config.Durations;

import java.time.Duration;
import java.util.Locale;

/**
 * The watchdog's settings, parsed by {@link AgentConfig}. Every interval and timeout has a floor and a ceiling
 * (values outside are clamped with a warning): an absurd value must never turn the agent into a busy loop on the
 * application's CPU or a flood on systemd's socket.
 */
public final class WatchdogOptions {

    /** No WATCHDOG=1 more often than this, whatever WATCHDOG_USEC or watchdog-interval= say. */
    public static final Duration MIN_PING_INTERVAL = Duration.ofMillis(100);
    /** Health rounds (deadlock, GC, probes) no more often than this: a deadlock search is a safepoint. */
    public static final Duration MIN_CHECK_INTERVAL = Duration.ofSeconds(1);
    public static final Duration MAX_INTERVAL = Duration.ofHours(1);
    public static final int DEFAULT_GC_OVERHEAD = 50;
    public static final Duration DEFAULT_GC_WINDOW = Duration.ofSeconds(30);
    public static final Duration MIN_GC_WINDOW = Duration.ofSeconds(5);
    public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration MIN_TIMEOUT = Duration.ofMillis(100);
    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_HEALTH_GRACE = Duration.ofSeconds(30);
    public static final int DEFAULT_HEALTH_FAILURES = 3;
    public static final Duration DEFAULT_START_EXTEND = Duration.ofSeconds(10);
    public static final Duration MIN_EXTEND = Duration.ofSeconds(1);
    public static final Duration MAX_EXTEND = Duration.ofHours(1);
    public static final Duration MIN_STATUS_INTERVAL = Duration.ofSeconds(1);
    public static final Duration MAX_STATUS_INTERVAL = Duration.ofHours(24);

    private final AgentConfig.WatchdogAction action;
    private final boolean deadlockCheck;
    private final int gcOverheadPercent;
    private final Duration gcWindow;
    private final int heapAfterGcPercent;
    private final String health;
    private final Duration healthTimeout;
    private final Duration healthGrace;
    private final int healthFailures;
    private final Duration startExtend;
    private final Duration stopExtend;
    private final Duration statusInterval;
    private final String startProgressFile;

    public WatchdogOptions(AgentConfig.WatchdogAction action, boolean deadlockCheck, int gcOverheadPercent, Duration gcWindow,
                           int heapAfterGcPercent, String health, Duration healthTimeout, Duration healthGrace,
                           int healthFailures, Duration startExtend, Duration stopExtend, Duration statusInterval,
                           String startProgressFile) {
        this.action = action;
        this.deadlockCheck = deadlockCheck;
        this.gcOverheadPercent = gcOverheadPercent;
        this.gcWindow = gcWindow;
        this.heapAfterGcPercent = heapAfterGcPercent;
        this.health = health;
        this.healthTimeout = healthTimeout;
        this.healthGrace = healthGrace;
        this.healthFailures = healthFailures;
        this.startExtend = startExtend;
        this.stopExtend = stopExtend;
        this.statusInterval = statusInterval;
        this.startProgressFile = startProgressFile;
    }

    /** A file whose growth or change also counts as start-up progress; null when not given (the default). */
    public String startProgressFile() {
        return startProgressFile;
    }

    public AgentConfig.WatchdogAction action() {
        return action;
    }

    public boolean deadlockCheck() {
        return deadlockCheck;
    }

    /** 0 when off. */
    public int gcOverheadPercent() {
        return gcOverheadPercent;
    }

    public Duration gcWindow() {
        return gcWindow;
    }

    /** 0 when off (the default). */
    public int heapAfterGcPercent() {
        return heapAfterGcPercent;
    }

    /** An http(s) URL, a {@code Class#method}, or null. */
    public String health() {
        return health;
    }

    public Duration healthTimeout() {
        return healthTimeout;
    }

    public Duration healthGrace() {
        return healthGrace;
    }

    public int healthFailures() {
        return healthFailures;
    }

    /** How far each sign of start-up progress pushes the start timeout; null when off. */
    public Duration startExtend() {
        return startExtend;
    }

    /** The longest a stop may last while shutdown hooks run; null when off (the default). */
    public Duration stopExtend() {
        return stopExtend;
    }

    /** null when off (the default). */
    public Duration statusInterval() {
        return statusInterval;
    }

    /** {@code key=value} lines for {@code check} and the debug log. */
    public String describe() {
        return "watchdog-action=" + action.name().toLowerCase(Locale.ROOT) + "\n"
                + "deadlock-check=" + (deadlockCheck ? "on" : "off") + "\n"
                + "gc-overhead=" + (gcOverheadPercent == 0 ? "off" : gcOverheadPercent + "%") + "\n"
                + "gc-window=" + Durations.format(gcWindow) + "\n"
                + "heap-after-gc=" + (heapAfterGcPercent == 0 ? "off" : heapAfterGcPercent + "%") + "\n"
                + (health == null ? "" : "health=" + health + "\n")
                + "health-timeout=" + Durations.format(healthTimeout) + "\n"
                + "health-grace=" + Durations.format(healthGrace) + "\n"
                + "health-failures=" + healthFailures + "\n"
                + "start-extend=" + (startExtend == null ? "off" : Durations.format(startExtend)) + "\n"
                + (startProgressFile == null ? "" : "start-progress-file=" + startProgressFile + "\n")
                + "stop-extend=" + (stopExtend == null ? "off" : Durations.format(stopExtend)) + "\n"
                + "status-interval=" + (statusInterval == null ? "off" : Durations.format(statusInterval)) + "\n";
    }
}
