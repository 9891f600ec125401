package io.github.sdagent.agent;

import io.github.sdagent.core.Daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Properties;

/** {@code java -jar sd-agent.jar COMMAND ...}; run by the launcher's CliLauncher. Exit codes: 0 ok, 1 failed, 2 usage. */
public final class Cli {

    static final String USAGE = String.join("\n",
            "usage: java -jar sd-agent.jar COMMAND",
            "  check [OPTIONS]      validate agent options (the text after -javaagent:sd-agent.jar=) together with",
            "                       -Dsdagent.* and config=, as premain would; print the result (exit 0) or the error (exit 1)",
            "  notify KEY=VALUE...  send one notification to $NOTIFY_SOCKET, like systemd-notify (e.g. READY=1 STATUS=up)",
            "  version              print the version",
            "  help                 print this text");

    private Cli() {
    }

    public static int run(String[] args) {
        return run(args, System.out, System.err, System.getProperties());
    }

    static int run(String[] args, PrintStream out, PrintStream err, Properties systemProperties) {
        if (args.length == 0) {
            return usage(err, "no command given");
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "check": return check(rest, out, err, systemProperties);
            case "notify": return notify(rest, out, err);
            case "version":
                if (rest.length > 0) {
                    return usage(err, "version takes no arguments");
                }
                out.println("sd-agent " + version());
                return 0;
            case "help": case "--help": case "-h":
                out.println(USAGE);
                return 0;
            default:
                return usage(err, "unknown command '" + args[0] + "'");
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("sd-agent: " + problem + " (commands: check, notify, version, help; see: java -jar sd-agent.jar help)");
        return 2;
    }

    private static int check(String[] options, PrintStream out, PrintStream err, Properties systemProperties) {
        try {
            AgentConfig config = AgentConfig.load(String.join(",", options), systemProperties);
            out.print(config.describe());
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("sd-agent: " + e.getMessage());
            return 1;
        }
    }

    private static int notify(String[] assignments, PrintStream out, PrintStream err) {
        if (assignments.length == 0) {
            return usage(err, "notify needs at least one KEY=VALUE, e.g. notify READY=1 STATUS=Serving");
        }
        for (String assignment : assignments) {
            if (assignment.indexOf('=') <= 0) {
                return usage(err, "notify argument '" + assignment + "' is not KEY=VALUE");
            }
        }
        try {
            if (!Daemon.notify(false, assignments)) {
                err.println("sd-agent: NOTIFY_SOCKET is not set (not running under systemd): nothing sent");
                return 1;
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("sd-agent: notify failed: " + OneLine.summary(e));
            return 1;
        }
    }

    static String version() {
        Properties properties = new Properties();
        try (InputStream in = Cli.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // unknown
        }
        return properties.getProperty("version", "unknown");
    }
}
