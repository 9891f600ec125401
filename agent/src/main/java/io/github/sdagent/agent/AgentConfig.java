package io.github.sdagent.agent;

import io.github.sdagent.agent.ready.AutoReadiness;
import io.github.sdagent.agent.ready.ReadySpec;
import java.time.Duration;
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

    static final String DEFAULT_STATUS = "Starting";
    static final Duration DEFAULT_HOOK_GRACE = Duration.ofSeconds(60);

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

    private AgentConfig(Map<Option, OptionSources.Value> values) {
        readySpec = readySpec(values.get(Option.READY));
        ready = readySpec.hooks();
        readyHttpInterval = duration(values.get(Option.READY_HTTP_INTERVAL), Option.READY_HTTP_INTERVAL,
                DEFAULT_HTTP_INTERVAL);
        readyHttpTimeout = duration(values.get(Option.READY_HTTP_TIMEOUT), Option.READY_HTTP_TIMEOUT,
                DEFAULT_HTTP_TIMEOUT);
        readyWhen = choice(values.get(Option.READY_WHEN), Option.READY_WHEN, ReadyWhen.class, ReadyWhen.ALL);
        watchdog = onOff(values.get(Option.WATCHDOG), Option.WATCHDOG);
        watchdogInterval = duration(values.get(Option.WATCHDOG_INTERVAL), Option.WATCHDOG_INTERVAL, null);
        OptionSources.Value statusValue = values.get(Option.STATUS);
        status = statusValue == null || statusValue.text.isEmpty() ? defaultStatus(readySpec) : OneLine.of(statusValue.text);
        hookGrace = duration(values.get(Option.HOOK_GRACE), Option.HOOK_GRACE, DEFAULT_HOOK_GRACE);
        mainPid = choice(values.get(Option.MAINPID), Option.MAINPID, MainPid.class, MainPid.AUTO);
        logLevel = choice(values.get(Option.LOG_LEVEL), Option.LOG_LEVEL, AgentLog.Level.class, AgentLog.Level.INFO);
        OptionSources.Value config = values.get(Option.CONFIG);
        configFile = config == null ? null : config.text;
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
        return new IllegalArgumentException("invalid option " + option.key + "=" + value.text + " (" + value.source
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
                + line(Option.STATUS, status)
                + line(Option.HOOK_GRACE, Durations.format(hookGrace))
                + line(Option.MAINPID, mainPid.name().toLowerCase(Locale.ROOT))
                + line(Option.LOG_LEVEL, logLevel.name().toLowerCase(Locale.ROOT))
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
