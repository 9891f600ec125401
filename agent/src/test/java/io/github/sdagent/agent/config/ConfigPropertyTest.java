package io.github.sdagent.agent.config;

import io.github.sdagent.agent.AgentLog;
import io.github.sdagent.agent.hooks.HookSpec;
import io.github.sdagent.agent.OneLine;

import io.github.sdagent.core.Fuzz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Property-based tests (issue 15) for every parser of the agent's configuration: agent options, -Dsdagent.*
 * properties, the config file, hook specs and durations, with thousands of generated inputs each (see {@link Fuzz}
 * for the seed and how to replay). Every key of {@link Option} is covered, so an option added later is fuzzed
 * without touching this test. Properties: only IllegalArgumentException escapes; its message is one line (no
 * control character) short enough that the agent's log never cuts it, and for a bad value it names the key, shows
 * the value and says what is allowed; good inputs round-trip.
 */
class ConfigPropertyTest {

    @TempDir
    Path dir;

    /** Words of the option grammar: every key, keywords, durations, hook specs and the forms of the newer options. */
    private static final String[] TOKENS = tokens();
    private static final String SPECIALS = "=,#()+:.$[]%/@ \t";

    private static String[] tokens() {
        List<String> tokens = new ArrayList<>();
        for (Option option : Option.values()) {
            tokens.add(option.key);
            tokens.add(option.key + "=");
        }
        String[] words = {"on", "off", "true", "no", "all", "any", "auto", "info", "debug", "10s", "500ms", "2min",
            "1h", "0", "1us", "999999999h", "9999999999", "s", "ms", "min", "us", "a.B#start", "a.B#m(int,long)",
            "a.B#m:int:java.lang.String[]", "a.B#m:", "a.B$C#run", "Server#start", "#", "(", ")", "+", "50%", "100",
            "http://localhost:8080/health", "https://x/", "listen:8080", "log:Started", "http:", "http://",
            "listen:", "log:", "/etc/sd-agent.properties", "trigger", "skip", "SIGHUP", "Class#method", "web:8080",
            "+admin:9090", "auto", "start", "USR1", "a.B#reload", "log:Started .* in [0-9.]+ s", "http://127.0.0.1:8080/"};
        for (String word : words) {
            tokens.add(word);
        }
        return tokens.toArray(new String[0]);
    }

    /** Checks one error message; {@code key}/{@code value} are null when the input was not a single bad value. */
    private static String errorProblem(IllegalArgumentException e, Option key, String value) {
        String message = e.getMessage();
        String problem = Fuzz.lineProblem(message);
        if (problem != null) {
            return problem;
        }
        if (message.length() > OneLine.MAX_LENGTH - 200) { // the log line adds about 170 characters of advice
            return "message of " + message.length() + " characters would be cut in the log: " + message;
        }
        if (key != null && !message.contains("invalid option " + key.key + "=" + OneLine.shown(value.trim()) + " (")) {
            return "does not name " + key.key + " and show the value " + Fuzz.escaped(OneLine.shown(value.trim())) + ": " + message;
        }
        if (key != null && !message.contains("expected " + key.allowed)) {
            return "does not say what " + key.key + " allows: " + message;
        }
        return null;
    }

    private static AgentConfig load(String options, Properties properties) {
        AgentConfig config = AgentConfig.load(options, properties);
        config.describe(); // every accepted configuration can be described (what `config` prints)
        for (String warning : config.warnings()) { // a value clamped into its bounds: one line, never cut
            String problem = Fuzz.lineProblem(warning);
            if (problem != null || warning.length() > OneLine.MAX_LENGTH) {
                throw new AssertionError("bad warning: " + (problem != null ? problem : warning));
            }
        }
        return config;
    }

    @Test
    void everyKeyAsASystemPropertyIsAcceptedOrNamedWithWhatIsAllowed() {
        Option[] options = Option.values();
        Fuzz.check("-Dsdagent.KEY=value", fuzz -> new String[] {options[fuzz.nextInt(options.length)].key, fuzz.next()},
                TOKENS, SPECIALS, input -> {
            Option option = Option.forKey(input[0]);
            if (option == Option.CONFIG) {
                return null; // a path: fuzzed as a file below
            }
            Properties properties = new Properties();
            properties.setProperty(OptionSources.PROPERTY_PREFIX + input[0], input[1]);
            try {
                load(null, properties);
                return null;
            } catch (IllegalArgumentException e) {
                return errorProblem(e, option, input[1]);
            }
        });
    }

    @Test
    void agentOptionStringsAreAcceptedOrRefusedInOneLine() {
        Fuzz.check("-javaagent options", fuzz -> fuzz.next(), TOKENS, SPECIALS, options -> {
            try {
                load(options, new Properties());
                return null;
            } catch (IllegalArgumentException e) {
                return errorProblem(e, null, null);
            }
        });
    }

    @Test
    void configFilesAreAcceptedOrRefusedInOneLine() throws Exception {
        Path file = dir.resolve("sd-agent.properties");
        Fuzz.check("config file", fuzz -> {
            StringBuilder text = new StringBuilder();
            for (int i = fuzz.nextInt(4); i >= 0; i--) {
                text.append(fuzz.nextBoolean() ? fuzz.pick(TOKENS) + "=" : "").append(fuzz.next()).append(fuzz.nextBoolean() ? "\n" : "\r\n");
            }
            return text.toString();
        }, TOKENS, SPECIALS + "\\!\n", content -> {
            Files.write(file, content.getBytes(StandardCharsets.ISO_8859_1));
            try {
                load("config=" + file, new Properties());
                return null;
            } catch (IllegalArgumentException e) {
                return errorProblem(e, null, null);
            }
        });
    }

    @Test
    void configFilePathsThatCannotBeReadAreNamedInOneLine() {
        Fuzz.check("config=PATH", Fuzz::next, TOKENS, SPECIALS, path -> {
            Properties properties = new Properties();
            properties.setProperty("sdagent.config", path);
            try {
                load(null, properties);
                return path.trim().isEmpty() ? null : "accepted the config file " + path;
            } catch (IllegalArgumentException e) {
                return path.trim().isEmpty() ? errorProblem(e, null, null) : errorProblem(e, Option.CONFIG, path);
            }
        });
    }

    @Test
    void hookSpecsParseAndRoundTripOrSayWhy() {
        Fuzz.check("hook spec", Fuzz::next, TOKENS, SPECIALS, text -> {
            HookSpec spec;
            try {
                spec = HookSpec.parse(text);
            } catch (IllegalArgumentException e) {
                String problem = Fuzz.lineProblem(e.getMessage());
                return problem != null ? problem
                        : e.getMessage().contains("expected Class#method") ? null : "no allowed forms: " + e.getMessage();
            }
            HookSpec again = HookSpec.parse(spec.toString());
            if (!again.equals(spec) || !again.toString().equals(spec.toString())) {
                return "does not round-trip: " + spec + " -> " + again;
            }
            return Fuzz.lineProblem(spec.toString());
        });
    }

    @Test
    void durationsParseToPositiveSpansThatRoundTrip() {
        Fuzz.check("duration", Fuzz::next, TOKENS, "0123456789 .-+", text -> {
            Duration duration = Durations.parse(text);
            if (duration == null) {
                return null;
            }
            if (duration.isNegative() || duration.isZero()) {
                return "parsed as " + duration;
            }
            Duration again = Durations.parse(Durations.format(duration));
            return duration.equals(again) ? null : "format " + Durations.format(duration) + " parses as " + again;
        });
    }

    /**
     * Issue 15, sane bounds: every interval and timeout option has a floor and a ceiling, and a value outside them is
     * used clamped, with one warning line naming the key, the value and the bounds. Found from {@link Option}'s own
     * description ("a duration"), so an option added later is held to this too.
     */
    @Test
    void everyDurationOptionHasAFloorAndACeilingWithOneWarning() {
        List<String> checked = new ArrayList<>();
        for (Option option : Option.values()) {
            if (!option.allowed.contains("duration")) {
                continue;
            }
            checked.add(option.key);
            for (String absurd : new String[] {"1us", "999999999h"}) {
                Properties properties = new Properties();
                properties.setProperty(OptionSources.PROPERTY_PREFIX + option.key, absurd);
                properties.setProperty(OptionSources.PROPERTY_PREFIX + "reload", "a.B#reload"); // reload-* need it
                AgentConfig config;
                try {
                    config = load(null, properties);
                } catch (IllegalArgumentException refused) { // the other way to bound: refuse, naming the bounds
                    String message = refused.getMessage();
                    org.junit.jupiter.api.Assertions.assertTrue(message.startsWith("invalid option " + option.key + "="
                            + absurd + " (") && message.contains("out of range") && message.contains("from "), message);
                    continue;
                }
                org.junit.jupiter.api.Assertions.assertEquals(1, config.warnings().size(),
                        option.key + "=" + absurd + " must be clamped with one warning: " + config.warnings());
                String warning = config.warnings().get(0);
                org.junit.jupiter.api.Assertions.assertTrue(warning.startsWith(option.key + "=" + absurd + " (")
                        && warning.contains(" is outside ") && warning.contains("; using "), warning);
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(checked.contains("hook-grace") && checked.contains("watchdog-interval"), checked.toString());
    }

    /**
     * WATCHDOG_USEC=1 made the agent send 143,574 pings in 2.5 s: whatever WATCHDOG_USEC (any positive long) and
     * watchdog-interval say, the ping interval stays within the watchdog's bounds and nothing throws.
     */
    @Test
    void thePingIntervalStaysWithinItsBoundsForAnyWatchdogUsec() {
        java.io.PrintStream quiet = new java.io.PrintStream(new java.io.ByteArrayOutputStream());
        AgentLog log = new AgentLog(quiet, false, AgentLog.Level.INFO);
        Fuzz.check("WATCHDOG_USEC x watchdog-interval", fuzz -> new String[] {fuzz.number(),
                fuzz.pick(new String[] {"", "1us", "100ms", "1s", "10s", "1h", "999999999h"})}, TOKENS, SPECIALS, v -> {
            long usec;
            try {
                usec = Long.parseLong(v[0]);
            } catch (NumberFormatException beyondLong) {
                return null; // core refuses these before the watchdog sees them (EnvironmentPropertyTest)
            }
            if (usec <= 0) {
                return null; // likewise
            }
            AgentConfig config = load(v[1].isEmpty() ? null : "watchdog-interval=" + v[1], new Properties());
            Duration interval = io.github.sdagent.agent.watchdog.Watchdog.interval(usec, config, log);
            if (interval.compareTo(io.github.sdagent.agent.watchdog.WatchdogOptions.MIN_PING_INTERVAL) < 0
                    || interval.compareTo(io.github.sdagent.agent.watchdog.WatchdogOptions.MAX_INTERVAL) > 0) {
                return "ping interval " + interval;
            }
            return null;
        });
    }

    /** Good configurations, assembled from valid values, load with exactly those values. */
    @Test
    void goodOptionsRoundTrip() {
        String[] hooks = {"a.B#start", "org.eclipse.jetty.server.Server#start", "a.B$C#m(int,long[])", "x.Y#z:", "p.Q#r:int:java.lang.String"};
        String[] spans = {"1s", "10s", "1500ms", "2min", "1h", "90s"};
        Fuzz.check("good options", fuzz -> {
            String ready = fuzz.pick(hooks) + (fuzz.nextBoolean() ? "" : "+" + fuzz.pick(hooks));
            return new String[] {ready, fuzz.pick(new String[] {"all", "any"}), fuzz.pick(new String[] {"on", "off"}),
                fuzz.pick(spans), fuzz.pick(new String[] {"auto", "on", "off"}), fuzz.pick(new String[] {"error", "warn", "info", "debug", "off"})};
        }, TOKENS, SPECIALS, v -> {
            AgentConfig config = load("ready=" + v[0] + ",ready-when=" + v[1] + ",watchdog=" + v[2] + ",hook-grace=" + v[3]
                    + ",mainpid=" + v[4] + ",log-level=" + v[5], new Properties());
            List<String> given = new ArrayList<>();
            for (String spec : v[0].split("\\+")) {
                given.add(HookSpec.parse(spec).toString());
            }
            List<String> parsed = new ArrayList<>();
            for (HookSpec spec : config.ready()) {
                parsed.add(spec.toString());
            }
            String back = String.join(",", parsed) + "|" + config.readyWhen().name().toLowerCase() + "|"
                    + (config.watchdog() ? "on" : "off") + "|" + Durations.format(config.hookGrace()) + "|"
                    + config.mainPid().name().toLowerCase() + "|" + config.logLevel().name().toLowerCase();
            String expected = String.join(",", given) + "|" + v[1] + "|" + v[2] + "|" + Durations.format(Durations.parse(v[3]))
                    + "|" + v[4] + "|" + v[5];
            return back.equals(expected) ? null : "loaded as " + back + ", given " + expected;
        });
    }
}
