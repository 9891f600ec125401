package io.github.sdagent.agent.config;

import io.github.sdagent.agent.OneLine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Collects raw {@code key -> value} pairs from the three sources, highest precedence first:
 * the {@code -javaagent:sd-agent.jar=k=v,k=v} options, then {@code -Dsdagent.KEY=value} system properties, then
 * the properties file named by {@code config=} (from either of the first two). Each value remembers where it came
 * from, for error messages. Unknown keys and malformed pairs are rejected here.
 */
final class OptionSources {

    static final String PROPERTY_PREFIX = "sdagent.";

    /** A raw value and the source it came from, e.g. "-javaagent options" or "config file /etc/x.properties". */
    static final class Value {
        final String text;
        final String source;

        Value(String text, String source) {
            this.text = text;
            this.source = source;
        }
    }

    private OptionSources() {
    }

    static Map<Option, Value> collect(String agentOptions, Properties systemProperties) {
        Map<Option, Value> agent = fromAgentOptions(agentOptions);
        Map<Option, Value> system = fromSystemProperties(systemProperties);
        Map<Option, Value> merged = new LinkedHashMap<>();
        Value config = agent.containsKey(Option.CONFIG) ? agent.get(Option.CONFIG) : system.get(Option.CONFIG);
        if (config != null) {
            merged.putAll(fromFile(config));
        }
        merged.putAll(system);
        merged.putAll(agent);
        return merged;
    }

    /** Splits on commas outside parentheses: {@code ready=a.B#m(int,long),watchdog=off} is two options. */
    static List<String> split(String options) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < options.length(); i++) {
            char c = options.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth = Math.max(0, depth - 1);
            } else if (c == ',' && depth == 0) {
                parts.add(options.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(options.substring(start));
        return parts;
    }

    static Map<Option, Value> fromAgentOptions(String options) {
        Map<Option, Value> values = new LinkedHashMap<>();
        if (options == null) {
            return values;
        }
        String source = "-javaagent options";
        for (String part : split(options)) {
            String pair = part.trim();
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("option '" + OneLine.shown(pair) + "' (" + source
                        + ") has no value: expected key=value pairs separated by ',', keys: " + Option.keys());
            }
            Option option = known(pair.substring(0, eq).trim(), pair, source);
            if (values.containsKey(option)) {
                throw new IllegalArgumentException("option " + option.key + " is given twice (" + source + "): "
                        + (option == Option.READY ? "join several hooks with '+' in one ready=" : "give it once"));
            }
            values.put(option, new Value(pair.substring(eq + 1).trim(), source));
        }
        return values;
    }

    static Map<Option, Value> fromSystemProperties(Properties properties) {
        Map<Option, Value> values = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith(PROPERTY_PREFIX)) {
                String key = name.substring(PROPERTY_PREFIX.length());
                String text = properties.getProperty(name);
                Option option = known(key, name + "=" + text, "system property");
                values.put(option, new Value(text.trim(), "system property " + name));
            }
        }
        return values;
    }

    static Map<Option, Value> fromFile(Value path) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Paths.get(path.text))) {
            properties.load(in);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("invalid option config=" + OneLine.shown(path.text) + " (" + path.source
                    + "): cannot read the file (" + unreadable(e) + "); expected " + Option.CONFIG.allowed);
        }
        String source = "config file " + OneLine.shown(path.text);
        Map<Option, Value> values = new LinkedHashMap<>();
        for (String key : properties.stringPropertyNames()) {
            String text = properties.getProperty(key);
            Option option = known(key.trim(), key + "=" + text, source);
            if (option == Option.CONFIG) {
                throw new IllegalArgumentException("option config=" + OneLine.shown(text) + " (" + source
                        + ") is not allowed inside a config file: give config= as an agent option or -Dsdagent.config");
            }
            values.put(option, new Value(text.trim(), source));
        }
        return values;
    }

    /** Why a config file cannot be read, without repeating its path (already shown, escaped, in the message). */
    private static String unreadable(Exception e) {
        if (e instanceof FileSystemException) {
            String reason = ((FileSystemException) e).getReason();
            return e.getClass().getSimpleName() + (reason == null ? "" : ": " + reason);
        }
        return OneLine.shown(OneLine.summary(e));
    }

    private static Option known(String key, String pair, String source) {
        Option option = Option.forKey(key);
        if (option == null) {
            throw new IllegalArgumentException("unknown option '" + OneLine.shown(pair) + "' (" + source + "): valid keys are "
                    + Option.keys());
        }
        return option;
    }
}
