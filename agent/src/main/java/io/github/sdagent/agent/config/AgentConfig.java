package io.github.sdagent.agent.config;

import io.github.sdagent.agent.OneLine;

import io.github.sdagent.agent.AgentLog;
import io.github.sdagent.agent.hooks.HookSpec;

import io.github.sdagent.agent.activation.SocketMapping;
import io.github.sdagent.agent.ready.AutoReadiness;
import io.github.sdagent.agent.ready.ReadySpec;
import io.github.sdagent.agent.watchdog.WatchdogOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's whole configuration, parsed once and immutable. Sources, highest precedence first: agent options
 * ({@code -javaagent:sd-agent.jar=key=value,key=value}), system properties ({@code -Dsdagent.key=value}), the
 * properties file named by {@code config=}, built-in defaults. Any bad key or value is an
 * {@link IllegalArgumentException} whose message is one line naming key, value, source and what is valid.
 */
public final class AgentConfig {

    public enum ReadyWhen { ALL, ANY }

    public enum MainPid { AUTO, ON, OFF }

    /** What an unhealthy JVM does: {@code WATCHDOG=trigger} (systemd acts at once) or stop pinging. */
    public enum WatchdogAction { TRIGGER, SKIP }

    static final String DEFAULT_STATUS = "Starting";
    static final Duration DEFAULT_HOOK_GRACE = Duration.ofSeconds(60);
    /** Below a second, hooks would be reported as never loaded while the application has barely begun (issue 15). */
    static final Duration MIN_HOOK_GRACE = Duration.ofSeconds(1);
    static final Duration MAX_HOOK_GRACE = Duration.ofHours(24);
    /** Below systemd's default TimeoutStartSec (90 s), which systemd also allows a reload. */
    static final Duration DEFAULT_RELOAD_TIMEOUT = Duration.ofSeconds(60);
    static final Duration MIN_RELOAD_TIMEOUT = Duration.ofMillis(100);
    static final Duration MAX_RELOAD_TIMEOUT = Duration.ofHours(1);

    static final Duration DEFAULT_HTTP_INTERVAL = Duration.ofSeconds(1);
    static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(2);

    private final ReadySpec readySpec;
    private final List<HookSpec> ready;
    private final Duration readyHttpInterval;
    private final Duration readyHttpTimeout;
    private final ReadyWhen readyWhen;
    private final boolean watchdog;
    private final Duration watchdogInterval;
    private final String status;
    private final Duration hookGrace;
    private final MainPid mainPid;
    private final AgentLog.Level logLevel;
    private final String configFile;
    private final WatchdogOptions watchdogOptions;
    private final List<String> warnings = new ArrayList<>();
    private final HookSpec reload;
    private final String reloadSignal;
    private final Duration reloadTimeout;
    private final SocketMapping sockets; // null: auto
    private final boolean fdStore;

    private AgentConfig(Map<Option, OptionSources.Value> values) {
        readySpec = readySpec(values.get(Option.READY));
        ready = readySpec.hooks();
        readyHttpInterval = bounded(values.get(Option.READY_HTTP_INTERVAL), Option.READY_HTTP_INTERVAL,
                DEFAULT_HTTP_INTERVAL, WatchdogOptions.MIN_PING_INTERVAL, WatchdogOptions.MAX_INTERVAL);
        readyHttpTimeout = bounded(values.get(Option.READY_HTTP_TIMEOUT), Option.READY_HTTP_TIMEOUT,
                DEFAULT_HTTP_TIMEOUT, WatchdogOptions.MIN_TIMEOUT, WatchdogOptions.MAX_TIMEOUT);
        readyWhen = choice(values.get(Option.READY_WHEN), Option.READY_WHEN, ReadyWhen.class, ReadyWhen.ALL);
        watchdog = onOff(values.get(Option.WATCHDOG), Option.WATCHDOG);
        watchdogInterval = bounded(values.get(Option.WATCHDOG_INTERVAL), Option.WATCHDOG_INTERVAL, null,
                WatchdogOptions.MIN_PING_INTERVAL, WatchdogOptions.MAX_INTERVAL);
        OptionSources.Value statusValue = values.get(Option.STATUS);
        status = statusValue == null || statusValue.text.isEmpty() ? defaultStatus(readySpec) : OneLine.of(statusValue.text);
        hookGrace = bounded(values.get(Option.HOOK_GRACE), Option.HOOK_GRACE, DEFAULT_HOOK_GRACE, MIN_HOOK_GRACE, MAX_HOOK_GRACE);
        mainPid = choice(values.get(Option.MAINPID), Option.MAINPID, MainPid.class, MainPid.AUTO);
        logLevel = choice(values.get(Option.LOG_LEVEL), Option.LOG_LEVEL, AgentLog.Level.class, AgentLog.Level.INFO);
        OptionSources.Value config = values.get(Option.CONFIG);
        configFile = config == null ? null : config.text;
        sockets = sockets(values.get(Option.SOCKETS));
        fdStore = values.get(Option.FDSTORE) != null && onOff(values.get(Option.FDSTORE), Option.FDSTORE);
        reload = reloadHook(values.get(Option.RELOAD));
        reloadSignal = reloadSignal(reloadOnly(values, Option.RELOAD_SIGNAL));
        reloadTimeout = reloadTimeout(reloadOnly(values, Option.RELOAD_TIMEOUT));
        watchdogOptions = new WatchdogOptions(
                choice(values.get(Option.WATCHDOG_ACTION), Option.WATCHDOG_ACTION, WatchdogAction.class, WatchdogAction.TRIGGER),
                onOff(values.get(Option.DEADLOCK_CHECK), Option.DEADLOCK_CHECK),
                percentOrOff(values.get(Option.GC_OVERHEAD), Option.GC_OVERHEAD, WatchdogOptions.DEFAULT_GC_OVERHEAD),
                bounded(values.get(Option.GC_WINDOW), Option.GC_WINDOW, WatchdogOptions.DEFAULT_GC_WINDOW,
                        WatchdogOptions.MIN_GC_WINDOW, WatchdogOptions.MAX_INTERVAL),
                percentOrOff(values.get(Option.HEAP_AFTER_GC), Option.HEAP_AFTER_GC, 0),
                health(values.get(Option.HEALTH)),
                bounded(values.get(Option.HEALTH_TIMEOUT), Option.HEALTH_TIMEOUT, WatchdogOptions.DEFAULT_HEALTH_TIMEOUT,
                        WatchdogOptions.MIN_TIMEOUT, WatchdogOptions.MAX_TIMEOUT),
                bounded(values.get(Option.HEALTH_GRACE), Option.HEALTH_GRACE, WatchdogOptions.DEFAULT_HEALTH_GRACE,
                        Duration.ofSeconds(1), WatchdogOptions.MAX_INTERVAL),
                count(values.get(Option.HEALTH_FAILURES), Option.HEALTH_FAILURES, WatchdogOptions.DEFAULT_HEALTH_FAILURES, 1, 100),
                boundedOrOff(values.get(Option.START_EXTEND), Option.START_EXTEND, WatchdogOptions.DEFAULT_START_EXTEND,
                        WatchdogOptions.MIN_EXTEND, WatchdogOptions.MAX_EXTEND),
                boundedOrOff(values.get(Option.STOP_EXTEND), Option.STOP_EXTEND, null,
                        WatchdogOptions.MIN_EXTEND, WatchdogOptions.MAX_EXTEND),
                boundedOrOff(values.get(Option.STATUS_INTERVAL), Option.STATUS_INTERVAL, null,
                        WatchdogOptions.MIN_STATUS_INTERVAL, WatchdogOptions.MAX_STATUS_INTERVAL),
                path(values.get(Option.START_PROGRESS_FILE), Option.START_PROGRESS_FILE));
    }

    /** A duration clamped into [min, max]; a value outside is a warning (see {@link #warnings}), not an error. */
    private Duration bounded(OptionSources.Value value, Option option, Duration fallback, Duration min, Duration max) {
        Duration duration = duration(value, option, fallback);
        if (duration == null || value == null) {
            return duration;
        }
        Duration clamped = duration.compareTo(min) < 0 ? min : duration.compareTo(max) > 0 ? max : duration;
        if (!clamped.equals(duration)) {
            warnings.add(option.key + "=" + value.text + " (" + value.source + ") is outside " + Durations.format(min)
                    + ".." + Durations.format(max) + "; using " + Durations.format(clamped));
        }
        return clamped;
    }

    private Duration boundedOrOff(OptionSources.Value value, Option option, Duration fallback, Duration min, Duration max) {
        if (value != null && isOff(value.text)) {
            return null;
        }
        return bounded(value, option, fallback, min, max);
    }

    /** An absolute path, or null when not given; anything else is a configuration error. */
    private static String path(OptionSources.Value value, Option option) {
        if (value == null) {
            return null;
        }
        String text = value.text.trim();
        if (!text.startsWith("/") || text.indexOf('\u0000') >= 0) {
            throw invalid(option, value, "not an absolute path");
        }
        return text;
    }

    private static boolean isOff(String text) {
        String lower = text.trim().toLowerCase(Locale.ROOT);
        return lower.equals("off") || lower.equals("false") || lower.equals("no");
    }

    /** {@code 50%} or {@code 50} as 50; {@code off} as 0. */
    private static int percentOrOff(OptionSources.Value value, Option option, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (isOff(value.text)) {
            return 0;
        }
        String text = value.text.trim();
        return wholeNumber(text.endsWith("%") ? text.substring(0, text.length() - 1).trim() : text, value, option, 1, 100);
    }

    private static int count(OptionSources.Value value, Option option, int fallback, int min, int max) {
        return value == null ? fallback : wholeNumber(value.text.trim(), value, option, min, max);
    }

    private static int wholeNumber(String text, OptionSources.Value value, Option option, int min, int max) {
        if (text.isEmpty() || text.length() > 9) {
            throw invalid(option, value, null);
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                throw invalid(option, value, null);
            }
        }
        int number = Integer.parseInt(text);
        if (number < min || number > max) {
            throw invalid(option, value, "out of range");
        }
        return number;
    }

    /** {@code health=}: an http:// URL, or a Class#method spec (no parameters: the method is called with none). */
    private static String health(OptionSources.Value value) {
        if (value == null) {
            return null;
        }
        String text = value.text.trim();
        if (text.startsWith("http://") || text.startsWith("https://")) {
            try {
                new java.net.URI(text).toURL();
            } catch (java.net.URISyntaxException e) { // its message repeats the whole input: the reason and where
                throw invalid(Option.HEALTH, value, "not a URL: " + OneLine.shown(e.getReason())
                        + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
            } catch (Exception e) {
                throw invalid(Option.HEALTH, value, "not a URL: " + OneLine.shown(OneLine.summary(e)));
            }
            return text;
        }
        try {
            HookSpec spec = HookSpec.parse(text);
            if (text.indexOf('(') >= 0 || text.indexOf(':') >= 0) {
                throw invalid(Option.HEALTH, value, "the health method takes no parameters; give only Class#method");
            }
            return spec.toString();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("invalid option")) {
                throw e;
            }
            throw invalid(Option.HEALTH, value, e.getMessage());
        }
    }

    private static HookSpec reloadHook(OptionSources.Value value) {
        if (value == null) {
            return null;
        }
        HookSpec spec;
        try {
            spec = HookSpec.parse(value.text);
        } catch (IllegalArgumentException e) {
            throw invalid(Option.RELOAD, value, e.getMessage());
        }
        if (spec.parameterTypes() != null && !spec.parameterTypes().isEmpty()) {
            throw invalid(Option.RELOAD, value, "the agent calls the reload method without arguments");
        }
        return spec;
    }

    /** The value of a reload-* key; an error when reload= is not set (the key would silently do nothing). */
    private static OptionSources.Value reloadOnly(Map<Option, OptionSources.Value> values, Option option) {
        OptionSources.Value value = values.get(option);
        if (value != null && values.get(Option.RELOAD) == null) {
            throw invalid(option, value, "no reload= method is configured");
        }
        return value;
    }

    private static String reloadSignal(OptionSources.Value value) {
        if (value == null) {
            return "HUP";
        }
        String name = value.text.trim().toUpperCase(Locale.ROOT);
        name = name.startsWith("SIG") ? name.substring(3) : name;
        switch (name) {
            // conventional reload signals the JVM lets an application handle (TERM/INT stop, QUIT dumps threads,
            // USR2 is HotSpot's own)
            case "HUP": case "USR1": case "WINCH": return name;
            default: throw invalid(Option.RELOAD_SIGNAL, value, null);
        }
    }

    private static Duration reloadTimeout(OptionSources.Value value) {
        Duration timeout = duration(value, Option.RELOAD_TIMEOUT, DEFAULT_RELOAD_TIMEOUT);
        if (timeout.compareTo(MIN_RELOAD_TIMEOUT) < 0 || timeout.compareTo(MAX_RELOAD_TIMEOUT) > 0) {
            throw invalid(Option.RELOAD_TIMEOUT, value, "out of range");
        }
        return timeout;
    }

    private static SocketMapping sockets(OptionSources.Value value) {
        try {
            return value == null ? null : SocketMapping.parse(value.text); // null: auto, without loading the class
        } catch (IllegalArgumentException e) {
            throw invalid(Option.SOCKETS, value, e.getMessage());
        }
    }

    /** {@code Starting (waiting for org.eclipse.jetty.server.Server#start)}: says what READY=1 waits for. */
    private static String defaultStatus(ReadySpec ready) {
        if (ready.start()) {
            return DEFAULT_STATUS;
        }
        if (ready.auto() && ready.conditions().size() == 1) {
            return AutoReadiness.NOTHING_FOUND;
        }
        return DEFAULT_STATUS + " (waiting for " + ready + ")";
    }

    static String joined(List<HookSpec> specs, String separator) {
        StringBuilder text = new StringBuilder();
        for (HookSpec spec : specs) {
            text.append(text.length() == 0 ? "" : separator).append(spec);
        }
        return text.toString();
    }

    /** @throws IllegalArgumentException one line naming the bad key, value, source and what is valid */
    public static AgentConfig load(String agentOptions, Properties systemProperties) {
        return new AgentConfig(OptionSources.collect(agentOptions, systemProperties));
    }

    public static AgentConfig defaults() {
        return load(null, new Properties());
    }

    private static IllegalArgumentException invalid(Option option, OptionSources.Value value, String detail) {
        return new IllegalArgumentException("invalid option " + option.key + "=" + OneLine.shown(value.text) + " (" + value.source
                + "): " + (detail == null ? "" : detail + "; ") + "expected " + option.allowed);
    }

    private static ReadySpec readySpec(OptionSources.Value value) {
        if (value == null) {
            return ReadySpec.defaultSpec();
        }
        try {
            return ReadySpec.parse(value.text);
        } catch (IllegalArgumentException e) {
            throw invalid(Option.READY, value, e.getMessage());
        }
    }

    private static <E extends Enum<E>> E choice(OptionSources.Value value, Option option, Class<E> type, E fallback) {
        if (value == null) {
            return fallback;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value.text)) {
                return constant;
            }
        }
        throw invalid(option, value, null);
    }

    private static boolean onOff(OptionSources.Value value, Option option) {
        if (value == null) {
            return true;
        }
        switch (value.text.toLowerCase(Locale.ROOT)) {
            case "on": case "true": case "yes": return true;
            case "off": case "false": case "no": return false;
            default: throw invalid(option, value, null);
        }
    }

    private static Duration duration(OptionSources.Value value, Option option, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        Duration duration = Durations.parse(value.text);
        if (duration == null) {
            throw invalid(option, value, null);
        }
        return duration;
    }

    /** The ready= method hooks (possibly none: see {@link #readySpec}). */
    public List<HookSpec> ready() {
        return ready;
    }

    /** Everything ready= asks for; without ready=, auto. */
    public ReadySpec readySpec() {
        return readySpec;
    }

    public Duration readyHttpInterval() {
        return readyHttpInterval;
    }

    public Duration readyHttpTimeout() {
        return readyHttpTimeout;
    }

    public ReadyWhen readyWhen() {
        return readyWhen;
    }

    public boolean watchdog() {
        return watchdog;
    }

    /** The ping interval, or null for "half of WATCHDOG_USEC". */
    public Duration watchdogInterval() {
        return watchdogInterval;
    }

    public String status() {
        return status;
    }

    public Duration hookGrace() {
        return hookGrace;
    }

    public MainPid mainPid() {
        return mainPid;
    }

    public AgentLog.Level logLevel() {
        return logLevel;
    }

    /** The watchdog's and the start/stop timeouts' settings. */
    public WatchdogOptions watchdogOptions() {
        return watchdogOptions;
    }

    /** Values that were accepted but clamped into their bounds: one line each, for the log. */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /** The reload method ({@code reload=}), or null: then no reload signal handler is installed. */
    public HookSpec reload() {
        return reload;
    }

    /** The reload signal's name without SIG: HUP (default), USR1 or WINCH. */
    public String reloadSignal() {
        return reloadSignal;
    }

    public Duration reloadTimeout() {
        return reloadTimeout;
    }

    /** Socket activation: which inherited sockets serve which binds ({@code sockets=}). */
    public SocketMapping sockets() {
        return sockets == null ? SocketMapping.AUTO : sockets;
    }

    /** Hand the application's own listening sockets to systemd's fd store ({@code fdstore=}, default off). */
    public boolean fdStore() {
        return fdStore;
    }

    /** The config file that was read, or null. */
    public String configFile() {
        return configFile;
    }

    /** One {@code key=value} per line, in a form {@code check} prints and the agent options accept back. */
    public String describe() {
        return line(Option.READY, readySpec.start() ? "start (READY=1 as soon as the agent starts)"
                        : readySpec.defaulted() ? "auto (the default: detect the server or framework)" : readySpec)
                + line(Option.READY_WHEN, readyWhen.name().toLowerCase(Locale.ROOT))
                + (readySpec.http() == null ? "" // only what applies: the http: options mean nothing without http:
                        : line(Option.READY_HTTP_INTERVAL, Durations.format(readyHttpInterval))
                        + line(Option.READY_HTTP_TIMEOUT, Durations.format(readyHttpTimeout)))
                + line(Option.WATCHDOG, watchdog ? "on" : "off")
                + line(Option.WATCHDOG_INTERVAL, watchdogInterval == null
                        ? "(half of WATCHDOG_USEC)" : Durations.format(watchdogInterval))
                + watchdogOptions.describe()
                + line(Option.STATUS, status)
                + line(Option.HOOK_GRACE, Durations.format(hookGrace))
                + (reload == null ? "" : line(Option.RELOAD, reload) + line(Option.RELOAD_SIGNAL, reloadSignal)
                        + line(Option.RELOAD_TIMEOUT, Durations.format(reloadTimeout)))
                + line(Option.MAINPID, mainPid.name().toLowerCase(Locale.ROOT))
                + line(Option.LOG_LEVEL, logLevel.name().toLowerCase(Locale.ROOT))
                + line(Option.SOCKETS, sockets == null ? "auto" : sockets)
                + line(Option.FDSTORE, fdStore ? "on" : "off")
                + line(Option.CONFIG, configFile == null ? "(none)" : configFile);
    }

    private static String line(Option option, Object value) {
        return option.key + "=" + value + "\n";
    }

    @Override
    public String toString() {
        return describe().trim().replace('\n', ',');
    }
}
