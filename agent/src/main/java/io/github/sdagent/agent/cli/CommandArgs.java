package io.github.sdagent.agent.cli;

import io.github.sdagent.agent.config.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One subcommand's arguments: {@code --key=value} options (values may repeat), {@code --flag}s, positional
 * arguments and, after {@code --}, the application's command line. Anything not declared is a usage error.
 */
final class CommandArgs {

    /** A usage error: one line, exit status 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private final String command;
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final List<String> commandLine = new ArrayList<>();
    private boolean hasCommandLine;

    /**
     * @param valued options that take {@code =VALUE} (without the leading {@code --})
     * @param flags options that take none
     */
    CommandArgs(String command, String[] args, List<String> valued, List<String> flags) throws UsageException {
        this.command = command;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                hasCommandLine = true;
                commandLine.addAll(Arrays.asList(args).subList(i + 1, args.length));
                return;
            }
            if (!arg.startsWith("--")) {
                positional.add(arg);
                continue;
            }
            int eq = arg.indexOf('=');
            String name = arg.substring(2, eq < 0 ? arg.length() : eq);
            if (valued.contains(name)) {
                if (eq < 0) {
                    throw new UsageException(command + ": option --" + name + " needs a value (--" + name + "=...)");
                }
                add(name, arg.substring(eq + 1));
            } else if (flags.contains(name)) {
                if (eq >= 0) {
                    throw new UsageException(command + ": option --" + name + " takes no value");
                }
                add(name, "");
            } else {
                throw new UsageException(command + ": unknown option '" + arg + "' (options: " + describe(valued, flags) + ")");
            }
        }
    }

    private void add(String name, String value) {
        List<String> list = values.get(name);
        if (list == null) {
            list = new ArrayList<>();
            values.put(name, list);
        }
        list.add(value);
    }

    private static String describe(List<String> valued, List<String> flags) {
        StringBuilder out = new StringBuilder();
        for (String name : valued) {
            out.append(out.length() > 0 ? ", " : "").append("--").append(name).append("=...");
        }
        for (String name : flags) {
            out.append(out.length() > 0 ? ", " : "").append("--").append(name);
        }
        return out.toString();
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    /** The last value given, or {@code fallback}. */
    String value(String name, String fallback) {
        List<String> list = values.get(name);
        return list == null ? fallback : list.get(list.size() - 1);
    }

    List<String> all(String name) {
        List<String> list = values.get(name);
        return list == null ? new ArrayList<String>() : list;
    }

    /** A systemd-style duration ({@code 90s}, {@code 500ms}, {@code 2min}), or null for {@code off}. */
    Duration duration(String name, String fallback) throws UsageException {
        String text = value(name, fallback);
        if (text == null || text.equals("off")) {
            return null;
        }
        Duration duration = Durations.parse(text);
        if (duration == null) {
            throw new UsageException(command + ": invalid --" + name + "=" + text
                    + ": expected a duration such as 500ms, 90s or 2min, or off");
        }
        return duration;
    }

    List<String> positional() {
        return positional;
    }

    /** The words after {@code --}; a usage error when there are none. */
    List<String> commandLine() throws UsageException {
        if (!hasCommandLine || commandLine.isEmpty()) {
            throw new UsageException(command + ": give the application's command line after --, e.g. "
                    + command + " -- java -jar app.jar");
        }
        return commandLine;
    }
}
