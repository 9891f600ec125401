package io.github.sdagent.agent.cli;

import io.github.sdagent.agent.config.AgentConfig;
import io.github.sdagent.core.Daemon;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar sd-agent.jar COMMAND ...}, the operator's tool; run by the launcher's CliLauncher.
 * Exit codes: 0 ok, 1 failed, 2 usage (one line on stderr).
 */
public final class Cli {

    static final String USAGE = String.join("\n",
            "usage: java -jar sd-agent.jar COMMAND [OPTIONS]",
            "  unit [OPTIONS] -- JAVA COMMAND LINE",
            "                       print a service unit that runs the command with the agent (with --listen=[ADDR:]PORT",
            "                       also a .socket unit); options: --name= --description= --user --run-as= --working-directory=",
            "                       --environment-file= --agent=OPTIONS --agent-jar= --watchdog= --start-timeout= --stop-timeout=",
            "                       --reload=auto|notify-reload|signal --hardening --output-dir=",
            "  drop-in [OPTIONS] UNIT",
            "                       print UNIT.d/sd-agent.conf that turns an existing unit into Type=notify with the agent",
            "                       (reads it with systemctl cat); options: --user --agent=OPTIONS --agent-jar= --watchdog=",
            "                       --start-timeout= --unit-file=PATH (read this file instead of systemctl cat)",
            "  check [OPTIONS] -- COMMAND LINE",
            "                       run the application as systemd would (private notify socket), print its notifications",
            "                       and a verdict (exit 0 = ready in time, pings on time, STOPPING=1, clean exit); options:",
            "                       --timeout=90s --watchdog=DURATION --stop-after=10s --stop-timeout=90s --json",
            "                       --listen=[ADDR:]PORT (one listening socket passed as LISTEN_FDS=1, like a .socket unit)",
            "  config 'OPTIONS'     validate agent options (the text after -javaagent:sd-agent.jar=) together with",
            "                       -Dsdagent.* and config=, as premain would; print the result (exit 0) or the error (exit 1)",
            "  notify KEY=VALUE...  send one notification to $NOTIFY_SOCKET, like systemd-notify (e.g. READY=1 STATUS=up)",
            "  version              print the versions of the agent, Byte Buddy and JNA",
            "  help                 print this text",
            "Durations: 500ms, 90s, 2min, 1h (a bare number is seconds), or off.");

    private static final String COMMANDS = "unit, drop-in, check, config, notify, version, help";

    private Cli() {
    }

    public static int run(String[] args) {
        return run(args, System.out, System.err, System.getProperties());
    }

    static int run(String[] args, PrintStream out, PrintStream err, Properties systemProperties) {
        if (args.length == 0) {
            out.println(USAGE);
            return 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (args[0]) {
                case "unit": return unit(rest, out, err, systemProperties);
                case "drop-in": return dropIn(rest, out, err, systemProperties);
                case "check": return check(rest, out, err);
                case "config": return config(rest, out, err, systemProperties);
                case "notify": return notify(rest, err);
                case "version":
                    if (rest.length > 0) {
                        return usage(err, "version takes no arguments");
                    }
                    Properties versions = versions();
                    out.println("sd-agent " + versions.getProperty("version", "unknown"));
                    out.println("Byte Buddy " + versions.getProperty("bytebuddy.version", "unknown") + " (its bundled ASM only)");
                    out.println("JNA " + versions.getProperty("jna.version", "unknown"));
                    return 0;
                case "help": case "--help": case "-h":
                    out.println(USAGE);
                    return 0;
                default:
                    return usage(err, "unknown command '" + args[0] + "'");
            }
        } catch (CommandArgs.UsageException e) {
            return usage(err, e.getMessage());
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("sd-agent: " + problem + " (commands: " + COMMANDS + "; see: java -jar sd-agent.jar help)");
        return 2;
    }

    private static int config(String[] options, PrintStream out, PrintStream err, Properties systemProperties) {
        try {
            AgentConfig config = AgentConfig.load(String.join(",", options), systemProperties);
            for (String warning : config.warnings()) { // a value clamped into its bounds, as premain would say it
                err.println("sd-agent: " + warning);
            }
            out.print(config.describe());
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("sd-agent: " + e.getMessage());
            return 1;
        }
    }

    private static int unit(String[] args, PrintStream out, PrintStream err, Properties systemProperties)
            throws CommandArgs.UsageException {
        UnitCommand unit = new UnitCommand(args, ownJar(systemProperties), localSystemdVersion(),
                systemProperties.getProperty("user.dir"));
        String invalid = unit.invalidAgentOptions();
        if (invalid != null) {
            err.println("sd-agent: unit: --agent: " + invalid);
            return 1;
        }
        return emit(unit.files(), unit.outputDir, out, err);
    }

    /** Each file to {@code dir} (printing its path), or all to stdout, each after a {@code # file:} line when several. */
    private static int emit(Map<String, String> files, String dir, PrintStream out, PrintStream err) {
        if (dir == null) {
            boolean several = files.size() > 1;
            boolean first = true;
            for (Map.Entry<String, String> file : files.entrySet()) {
                if (several) {
                    out.print((first ? "" : "\n") + "# file: " + file.getKey() + "\n");
                }
                out.print(file.getValue());
                first = false;
            }
            return 0;
        }
        try {
            for (Map.Entry<String, String> file : files.entrySet()) {
                File target = new File(dir, file.getKey());
                Files.write(target.toPath(), file.getValue().getBytes(StandardCharsets.UTF_8));
                out.println("wrote " + target.getPath());
            }
            return 0;
        } catch (IOException e) {
            err.println("sd-agent: cannot write to " + dir + ": " + e);
            return 1;
        }
    }

    private static int dropIn(String[] args, PrintStream out, PrintStream err, Properties systemProperties)
            throws CommandArgs.UsageException {
        DropInCommand dropIn = new DropInCommand(args, ownJar(systemProperties));
        String unitText;
        try {
            if (dropIn.unitFile != null) {
                unitText = new String(Files.readAllBytes(new File(dropIn.unitFile).toPath()), StandardCharsets.UTF_8);
            } else {
                List<String> command = new ArrayList<>(Arrays.asList("systemctl", "cat"));
                if (dropIn.userManager) {
                    command.add(1, "--user");
                }
                command.add("--");
                command.add(dropIn.unit);
                String[] result = runCommand(command);
                if (!result[0].equals("0")) {
                    err.println("sd-agent: drop-in: " + String.join(" ", command) + " failed: " + result[1].trim().replace('\n', ' '));
                    return 1;
                }
                unitText = result[1];
            }
        } catch (IOException e) {
            err.println("sd-agent: drop-in: cannot read the unit: " + e);
            return 1;
        }
        String invalid = dropIn.invalidAgentOptions();
        if (invalid != null) {
            err.println("sd-agent: drop-in: --agent: " + invalid);
            return 1;
        }
        out.print(dropIn.dropIn(unitText));
        return 0;
    }

    private static int check(String[] args, PrintStream out, PrintStream err) throws CommandArgs.UsageException {
        CheckCommand check = new CheckCommand(args, out);
        try {
            return check.run();
        } catch (IOException e) {
            err.println("sd-agent: check: " + e.getMessage());
            return 1;
        } catch (LinkageError e) {
            // JNA could not bind libc (not 64-bit Linux on x86_64 or aarch64): say so in one line.
            err.println("sd-agent: check: cannot bind a notify socket here (64-bit Linux only): " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("sd-agent: check: interrupted");
            return 1;
        }
    }

    private static int notify(String[] assignments, PrintStream err) throws CommandArgs.UsageException {
        if (assignments.length == 0) {
            throw new CommandArgs.UsageException("notify needs at least one KEY=VALUE, e.g. notify READY=1 STATUS=Serving");
        }
        for (String assignment : assignments) {
            if (assignment.indexOf('=') <= 0) {
                throw new CommandArgs.UsageException("notify argument '" + assignment + "' is not KEY=VALUE");
            }
        }
        try {
            if (!Daemon.notify(false, assignments)) {
                err.println("sd-agent: NOTIFY_SOCKET is not set (not running under systemd): nothing sent");
                return 1;
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("sd-agent: notify failed: " + e);
            return 1;
        }
    }

    /** Under {@code java -jar sd-agent.jar}, the class path is the jar itself. */
    private static String ownJar(Properties systemProperties) {
        String classPath = systemProperties.getProperty("java.class.path", "");
        return classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator) ? classPath : null;
    }

    /** {@code systemctl --version}'s number, or 0 when there is no systemctl. */
    static int localSystemdVersion() {
        try {
            String[] result = runCommand(Arrays.asList("systemctl", "--version"));
            String[] words = result[1].trim().split("\\s+");
            return words.length > 1 && words[0].equals("systemd") && words[1].matches("\\d+") ? Integer.parseInt(words[1]) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Exit status and output (stdout and stderr) of a short command. */
    private static String[] runCommand(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                output.append(line).append('\n');
            }
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return new String[] {Integer.toString(process.exitValue()), output.toString()};
    }

    static String version() {
        return versions().getProperty("version", "unknown");
    }

    private static Properties versions() {
        Properties properties = new Properties();
        try (InputStream in = Cli.class.getResourceAsStream("/io/github/sdagent/agent/version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // unknown
        }
        return properties;
    }
}
