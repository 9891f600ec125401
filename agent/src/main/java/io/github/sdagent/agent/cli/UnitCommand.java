package io.github.sdagent.agent.cli;

import io.github.sdagent.agent.config.AgentConfig;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code unit [OPTIONS] -- <java command line>}: a service unit (and with {@code --listen} a socket unit) that
 * runs the application with the agent, with the settings a JVM under Type=notify needs.
 */
final class UnitCommand {

    static final List<String> VALUED = Arrays.asList("name", "description", "run-as", "working-directory",
            "environment-file", "agent", "agent-jar", "watchdog", "start-timeout", "stop-timeout", "listen", "reload",
            "output-dir");
    static final List<String> FLAGS = Arrays.asList("user", "hardening");

    /** systemd learnt Type=notify-reload in version 253. */
    static final int NOTIFY_RELOAD_SINCE = 253;

    final String name;
    private final String description;
    private final boolean userManager;
    private final String runAs;
    private final String workingDirectory;
    private final String environmentFile;
    private final String agentOptions;
    private final String agentJar;
    private final Duration watchdog;
    private final Duration startTimeout;
    private final Duration stopTimeout;
    private final List<String> listen;
    private final String reloadStyle;
    private final String reloadReason;
    private final boolean hardening;
    private final List<String> command;
    final String outputDir;

    /** @param systemdVersion the local systemd's version, or 0 when unknown (used by {@code --reload=auto}) */
    /**
     * @param currentDirectory the default WorkingDirectory=, so that relative paths in the command line mean what
     *        they meant where {@code unit} was run
     */
    UnitCommand(String[] args, String defaultAgentJar, int systemdVersion, String currentDirectory)
            throws CommandArgs.UsageException {
        CommandArgs parsed = new CommandArgs("unit", args, VALUED, FLAGS);
        if (!parsed.positional().isEmpty()) {
            throw new CommandArgs.UsageException("unit: unexpected argument '" + parsed.positional().get(0)
                    + "' (the application's command line goes after --)");
        }
        command = new ArrayList<>(parsed.commandLine());
        name = unitName(parsed.value("name", defaultName(command)));
        description = parsed.value("description", name + " (Java, with sd-agent)");
        userManager = parsed.has("user");
        runAs = parsed.value("run-as", null);
        if (runAs != null && userManager) {
            throw new CommandArgs.UsageException("unit: --run-as is for system units; a --user unit runs as its user");
        }
        workingDirectory = absolute(parsed.value("working-directory", currentDirectory));
        environmentFile = parsed.value("environment-file", null);
        agentOptions = parsed.value("agent", "");
        agentJar = absolute(parsed.value("agent-jar", defaultAgentJar));
        if (agentJar == null) {
            throw new CommandArgs.UsageException("unit: cannot tell where sd-agent.jar is; give --agent-jar=PATH");
        }
        watchdog = parsed.duration("watchdog", "30s");
        startTimeout = parsed.duration("start-timeout", "120s");
        stopTimeout = parsed.duration("stop-timeout", "30s");
        listen = parsed.all("listen");
        for (String address : listen) {
            checkListenAddress("unit", address);
        }
        hardening = parsed.has("hardening");
        outputDir = parsed.value("output-dir", null);
        String reload = parsed.value("reload", "auto");
        switch (reload) {
            case "notify-reload":
                reloadStyle = reload;
                reloadReason = "chosen by --reload=notify-reload (needs systemd " + NOTIFY_RELOAD_SINCE + "+)";
                break;
            case "signal":
                reloadStyle = reload;
                reloadReason = "chosen by --reload=signal (works with any systemd)";
                break;
            case "auto":
                reloadStyle = systemdVersion >= NOTIFY_RELOAD_SINCE ? "notify-reload" : "signal";
                reloadReason = systemdVersion == 0
                        ? "the local systemd version is unknown, so the style every systemd understands"
                        : "the local systemd is version " + systemdVersion + (systemdVersion >= NOTIFY_RELOAD_SINCE
                        ? " (Type=notify-reload needs " + NOTIFY_RELOAD_SINCE + "+)"
                        : ", older than " + NOTIFY_RELOAD_SINCE + " which Type=notify-reload needs; use --reload=notify-reload for a newer target");
                break;
            default:
                throw new CommandArgs.UsageException("unit: invalid --reload=" + reload
                        + ": expected auto, notify-reload or signal");
        }
    }

    /** Checks the agent options as premain would: the error line, or null when they are valid. */
    String invalidAgentOptions() {
        return invalidAgentOptions(agentOptions);
    }

    static String invalidAgentOptions(String agentOptions) {
        try {
            AgentConfig.load(agentOptions, new Properties());
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** File name to content: {@code NAME.service}, and {@code NAME.socket} with --listen. */
    Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(name + ".service", service());
        if (!listen.isEmpty()) {
            files.put(name + ".socket", socket());
        }
        return files;
    }

    private String service() {
        boolean java = isJava(command.get(0));
        List<String> exec = new ArrayList<>(command);
        exec.set(0, resolveExecutable(exec.get(0)));
        String agentArgument = "-javaagent:" + agentJar + (agentOptions.isEmpty() ? "" : "=" + agentOptions);
        if (java) {
            exec.add(1, agentArgument);
        }
        StringBuilder unit = new StringBuilder();
        unit.append("# Generated by sd-agent ").append(Cli.version()).append(" (java -jar sd-agent.jar unit).\n");
        unit.append("[Unit]\n");
        unit.append("Description=").append(SystemdSyntax.plainValue(description)).append('\n');
        if (!userManager) {
            unit.append("After=network-online.target\nWants=network-online.target\n");
        }
        if (!listen.isEmpty()) {
            unit.append("# The application takes its listening sockets from ").append(name)
                    .append(".socket (LISTEN_FDS) instead of binding them itself.\n");
            unit.append("Requires=").append(name).append(".socket\nAfter=").append(name).append(".socket\n");
        }
        unit.append("\n[Service]\n");
        String reloadSignal = reloadSignal(agentOptions);
        boolean reload = reloadSignal != null;
        if (reload && reloadStyle.equals("notify-reload")) {
            unit.append("# Reload: systemd sends SIGHUP and waits for the agent's RELOADING=1 ... READY=1; ")
                    .append(reloadReason).append(".\n");
            unit.append("Type=notify-reload\n");
            if (!reloadSignal.equals("HUP")) {
                unit.append("ReloadSignal=SIG").append(reloadSignal).append('\n');
            }
        } else {
            unit.append("# Active when the agent sends READY=1 (the ready hook has returned), not when java starts.\n");
            unit.append("Type=notify\n");
        }
        if (java) {
            unit.append("# The JVM is the main process (ExecStart runs java itself), so its notifications count.\n");
            unit.append("NotifyAccess=main\n");
            unit.append("ExecStart=").append(SystemdSyntax.execLine(exec)).append('\n');
        } else {
            unit.append("# ExecStart is not java itself but a program that starts it (a script): the JVM may be a child\n");
            unit.append("# of the main process (a script that forks java instead of exec'ing it), and under the default\n");
            unit.append("# NotifyAccess=main systemd would drop its READY=1. With NotifyAccess=all it is accepted, and the\n");
            unit.append("# agent's MAINPID= makes the JVM the main process. The agent reaches the JVM through\n");
            unit.append("# JAVA_TOOL_OPTIONS, which every JVM reads.\n");
            unit.append("NotifyAccess=all\n");
            unit.append("Environment=").append(SystemdSyntax.environmentAssignment("JAVA_TOOL_OPTIONS", agentArgument)).append('\n');
            unit.append("ExecStart=").append(SystemdSyntax.execLine(exec)).append('\n');
        }
        if (reload && reloadStyle.equals("signal")) {
            unit.append("# Reload: SIG").append(reloadSignal).append(" to the JVM, whose agent runs the reload hook; ")
                    .append(reloadReason).append(".\n");
            unit.append("ExecReload=kill -").append(reloadSignal).append(" $MAINPID\n");
        }
        if (workingDirectory != null) {
            unit.append("# Relative paths in ExecStart= and the application's own are relative to this.\n");
            unit.append("WorkingDirectory=").append(SystemdSyntax.plainValue(workingDirectory)).append('\n');
        }
        if (runAs != null) {
            unit.append("User=").append(SystemdSyntax.plainValue(runAs)).append('\n');
        }
        if (environmentFile != null) {
            unit.append("EnvironmentFile=").append(SystemdSyntax.plainValue(environmentFile)).append('\n');
        }
        unit.append("# The ready hook must fire within this; set it above the application's slowest start.\n");
        unit.append("TimeoutStartSec=").append(seconds(startTimeout, "infinity")).append('\n');
        if (watchdog != null) {
            unit.append("# The agent pings every WatchdogSec/2; a JVM that stops answering is killed and restarted.\n");
            unit.append("WatchdogSec=").append(seconds(watchdog, null)).append('\n');
        }
        unit.append("Restart=on-failure\n");
        unit.append("# A JVM stopped by SIGTERM exits with 143 (128+15): a clean stop, not a failure.\n");
        unit.append("SuccessExitStatus=143\n");
        unit.append("# SIGTERM to the main process only (the JVM runs its shutdown hooks, which stop its threads and\n");
        unit.append("# children); SIGKILL to everything left after TimeoutStopSec.\n");
        unit.append("KillMode=mixed\n");
        unit.append("TimeoutStopSec=").append(seconds(stopTimeout, "infinity")).append('\n');
        if (hardening) {
            appendHardening(unit);
        }
        unit.append("\n[Install]\n");
        if (listen.isEmpty()) {
            unit.append("WantedBy=").append(userManager ? "default.target" : "multi-user.target").append('\n');
        } else {
            unit.append("# Enable ").append(name).append(".socket; it starts this service.\n");
            unit.append("Also=").append(name).append(".socket\n");
        }
        return unit.toString();
    }

    private void appendHardening(StringBuilder unit) {
        unit.append("# Hardening (--hardening). The notify socket is an AF_UNIX socket, so AF_UNIX stays allowed.\n");
        unit.append("# No MemoryDenyWriteExecute= (the JIT writes code) and no PrivateNetwork= (it cuts the JVM off the\n");
        unit.append("# network; the sockets a .socket unit passes would still work, but no outgoing connection would).\n");
        unit.append("NoNewPrivileges=yes\n");
        unit.append("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n");
        unit.append("RestrictNamespaces=yes\n");
        unit.append("RestrictRealtime=yes\n");
        unit.append("RestrictSUIDSGID=yes\n");
        unit.append("LockPersonality=yes\n");
        if (!userManager) {
            // Mount namespaces: a user manager cannot set them up without PrivateUsers=, so system units only.
            unit.append("PrivateTmp=yes\n");
            unit.append("PrivateDevices=yes\n");
            unit.append("ProtectSystem=full\n");
            unit.append("ProtectHome=read-only\n");
            unit.append("ProtectKernelTunables=yes\n");
            unit.append("ProtectKernelModules=yes\n");
            unit.append("ProtectControlGroups=yes\n");
        }
    }

    private String socket() {
        StringBuilder unit = new StringBuilder();
        unit.append("# Generated by sd-agent ").append(Cli.version()).append(" (java -jar sd-agent.jar unit --listen).\n");
        unit.append("[Unit]\n");
        unit.append("Description=Listening sockets of ").append(name).append(".service\n");
        unit.append("\n[Socket]\n");
        for (String address : listen) {
            unit.append("ListenStream=").append(SystemdSyntax.plainValue(address)).append('\n');
        }
        unit.append("\n[Install]\nWantedBy=sockets.target\n");
        return unit.toString();
    }

    /**
     * The reload signal's name (HUP, USR1, WINCH) when the agent options configure {@code reload=}, else null. Read
     * by the agent's own configuration parser (a config= file included), so the unit cannot disagree with what the
     * agent will do. Null for options that do not parse: {@link #invalidAgentOptions} reports those.
     */
    static String reloadSignal(String agentOptions) {
        try {
            AgentConfig config = AgentConfig.load(agentOptions, new java.util.Properties());
            return config.reload() == null ? null : config.reloadSignal();
        } catch (IllegalArgumentException reportedElsewhere) {
            return null;
        }
    }

    /** {@code [ADDR:]PORT}; ADDR may be an IPv6 address in brackets. */
    static void checkListenAddress(String command, String address) throws CommandArgs.UsageException {
        int colon = address.lastIndexOf(':');
        String port = colon < 0 ? address : address.substring(colon + 1);
        boolean valid = port.matches("[0-9]{1,5}") && Integer.parseInt(port) > 0 && Integer.parseInt(port) < 65536
                && (colon < 0 || colon > 0);
        if (!valid) {
            throw new CommandArgs.UsageException(command + ": invalid --listen=" + address
                    + ": expected [ADDR:]PORT, e.g. 8080, 127.0.0.1:8080 or [::1]:8080");
        }
    }

    static boolean isJava(String executable) {
        return new File(executable).getName().equals("java");
    }

    /** systemd wants an absolute path: {@code java} is looked up in PATH, {@code bin/start.sh} made absolute. */
    private String resolveExecutable(String executable) {
        if (executable.startsWith("/")) {
            return executable;
        }
        if (executable.indexOf('/') >= 0) {
            File base = workingDirectory != null ? new File(workingDirectory) : new File(".");
            return new File(base, executable).toPath().toAbsolutePath().normalize().toString();
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                File candidate = new File(dir, executable);
                if (!dir.isEmpty() && candidate.isFile() && candidate.canExecute()) {
                    return candidate.getAbsolutePath();
                }
            }
        }
        return executable; // systemd 239+ searches its own fixed PATH
    }

    private static String absolute(String path) {
        return path == null ? null : new File(path).getAbsoluteFile().toPath().normalize().toString();
    }

    /** A name from {@code -jar X.jar} or the main class; a valid unit name in any case. */
    static String defaultName(List<String> command) {
        for (int i = 0; i < command.size(); i++) {
            if (command.get(i).equals("-jar") && i + 1 < command.size()) {
                String jar = new File(command.get(i + 1)).getName();
                return jar.endsWith(".jar") ? jar.substring(0, jar.length() - 4) : jar;
            }
        }
        if (isJava(command.get(0))) {
            for (int i = 1; i < command.size(); i++) {
                String word = command.get(i);
                if (word.equals("-cp") || word.equals("-classpath") || word.equals("--class-path")
                        || word.equals("-p") || word.equals("--module-path")) {
                    i++;
                } else if (!word.startsWith("-")) {
                    String main = word.substring(word.lastIndexOf('.') + 1);
                    return main.toLowerCase(java.util.Locale.ROOT);
                }
            }
            return "java-app";
        }
        String script = new File(command.get(0)).getName();
        int dot = script.lastIndexOf('.');
        return dot > 0 ? script.substring(0, dot) : script;
    }

    private static String unitName(String name) {
        String base = name.endsWith(".service") ? name.substring(0, name.length() - ".service".length()) : name;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < base.length(); i++) {
            char c = base.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':' || c == '@';
            out.append(allowed ? c : '-');
        }
        return out.length() == 0 ? "java-app" : out.toString();
    }

    private static String seconds(Duration duration, String none) {
        if (duration == null) {
            return none;
        }
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
