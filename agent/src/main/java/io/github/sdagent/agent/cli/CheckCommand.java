package io.github.sdagent.agent.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code check [OPTIONS] -- <command line>}: plays systemd's part for one run of the application, without systemd.
 * Binds a private notify socket, starts the command with NOTIFY_SOCKET (and WATCHDOG_USEC/WATCHDOG_PID), prints
 * every notification with its time since start, enforces the start timeout (with EXTEND_TIMEOUT_USEC) and the
 * watchdog like systemd, stops the application with SIGTERM and ends with a one-line verdict.
 */
final class CheckCommand {

    static final List<String> VALUED = Arrays.asList("timeout", "watchdog", "stop-after", "stop-timeout", "listen");
    static final List<String> FLAGS = Arrays.asList("json");

    private static final int SIGTERM = 15;
    private static final int SIGKILL = 9;

    private final List<String> command;
    private final Duration startTimeout;
    private final Duration watchdog;
    private final Duration stopAfter;
    private final Duration stopTimeout;
    private final boolean json;
    private final String listen;
    private final PrintStream out;

    private long startNanos;
    private int mainPid;
    private int reportedMainPid;
    private long readyNanos = -1;
    private int foreignReadyPid;
    private long watchdogUsec;
    private long lastPingNanos;
    private int pings;
    private long extendUntilNanos;
    private boolean stoppingSeen;
    private long termSentNanos = -1;
    private final List<String> failures = new ArrayList<>();
    private final Set<Integer> tree = new LinkedHashSet<>();

    CheckCommand(String[] args, PrintStream out) throws CommandArgs.UsageException {
        CommandArgs parsed = new CommandArgs("check", args, VALUED, FLAGS);
        if (!parsed.positional().isEmpty()) {
            throw new CommandArgs.UsageException("check: unexpected argument '" + parsed.positional().get(0)
                    + "' (the application's command line goes after --)");
        }
        command = parsed.commandLine();
        startTimeout = parsed.duration("timeout", "90s"); // systemd's DefaultTimeoutStartSec
        watchdog = parsed.duration("watchdog", "off");
        stopAfter = parsed.duration("stop-after", "10s");
        stopTimeout = parsed.duration("stop-timeout", "90s"); // systemd's DefaultTimeoutStopSec
        json = parsed.has("json");
        if (parsed.all("listen").size() > 1) {
            throw new CommandArgs.UsageException("check: one --listen only (it is passed as the only LISTEN_FDS socket)");
        }
        listen = parsed.value("listen", null);
        if (listen != null) {
            UnitCommand.checkListenAddress("check", listen);
        }
        this.out = out;
    }

    /** Runs the application once; 0 when it behaved, 1 otherwise. */
    int run() throws IOException, InterruptedException {
        File dir = Files.createTempDirectory("sd-agent-check").toFile();
        File pidFile = new File(dir, "main.pid");
        try (LocalNotifySocket socket = new LocalNotifySocket(new File(dir, "notify.sock"))) {
            Process process = start(socket, pidFile);
            int exitStatus = supervise(socket, process);
            verdict(exitStatus);
            return failures.isEmpty() ? 0 : 1;
        } finally {
            pidFile.delete();
            dir.delete();
        }
    }

    /**
     * Through {@code sh -c 'exec "$@"'}: the shell writes its pid (which the command keeps, since it is exec'd)
     * and sets WATCHDOG_PID to it, as systemd sets it to the main pid; Java 8's Process knows no pid.
     */
    private Process start(LocalNotifySocket socket, File pidFile) throws IOException, InterruptedException {
        List<String> wrapped = new ArrayList<>();
        wrapped.add("/bin/sh");
        wrapped.add("-c");
        // With --listen the socket arrives as stdin: moved to fd 3 (SD_LISTEN_FDS_START), stdin becomes /dev/null.
        wrapped.add("echo $$ > \"$0\""
                + (watchdog != null ? "; WATCHDOG_PID=$$; export WATCHDOG_PID" : "")
                + (listen != null ? "; exec 3<&0 0</dev/null; LISTEN_PID=$$ LISTEN_FDS=1 LISTEN_FDNAMES=check;"
                        + " export LISTEN_PID LISTEN_FDS LISTEN_FDNAMES" : "")
                + "; exec \"$@\"");
        wrapped.add(pidFile.getPath());
        wrapped.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(wrapped);
        Map<String, String> env = builder.environment();
        for (String name : new ArrayList<>(env.keySet())) {
            if (name.startsWith("NOTIFY_") || name.startsWith("WATCHDOG_") || name.startsWith("LISTEN_")) {
                env.remove(name); // only what this run sets, as for a unit
            }
        }
        env.put("NOTIFY_SOCKET", socket.path());
        if (watchdog != null) {
            watchdogUsec = TimeUnit.NANOSECONDS.toMicros(watchdog.toNanos());
            env.put("WATCHDOG_USEC", Long.toString(watchdogUsec));
        }
        builder.redirectOutput(ProcessBuilder.Redirect.INHERIT);
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process process;
        if (listen == null) {
            builder.redirectInput(new File("/dev/null")); // systemd's StandardInput=null
            startNanos = System.nanoTime();
            lastPingNanos = startNanos;
            process = builder.start();
        } else {
            int listening = listenSocket(listen);
            builder.redirectInput(ProcessBuilder.Redirect.INHERIT);
            int savedInput = LocalNotifySocket.replaceStandardInput(listening);
            try {
                startNanos = System.nanoTime();
                lastPingNanos = startNanos;
                process = builder.start();
            } finally {
                LocalNotifySocket.restoreStandardInput(savedInput);
                LocalNotifySocket.closeDescriptor(listening); // the application holds it now
            }
        }
        for (int i = 0; i < 500 && mainPid == 0; i++) {
            String text = pidFile.exists() ? new String(Files.readAllBytes(pidFile.toPath()), StandardCharsets.US_ASCII).trim() : "";
            if (!text.isEmpty()) {
                mainPid = Integer.parseInt(text);
            } else {
                Thread.sleep(10);
            }
        }
        event("started", "pid " + mainPid + ": " + String.join(" ", command)
                + (listen != null ? " (LISTEN_FDS=1: " + listen + ")" : ""));
        return process;
    }

    /** {@code [ADDR:]PORT}: an IP literal (IPv6 in brackets); without ADDR all addresses, as ListenStream=PORT. */
    private static int listenSocket(String address) throws IOException {
        int colon = address.lastIndexOf(':');
        int port = Integer.parseInt(address.substring(colon + 1));
        String host = colon < 0 ? "::" : address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean literal = host.indexOf(':') >= 0 || host.matches("[0-9.]+");
        if (!literal) {
            throw new IOException("--listen=" + address + ": give an IP address, not a name");
        }
        return LocalNotifySocket.listenStream(java.net.InetAddress.getByName(host), port);
    }

    private int supervise(LocalNotifySocket socket, Process process) throws IOException, InterruptedException {
        while (true) {
            LocalNotifySocket.Message message = socket.receive(50);
            if (message != null) {
                handle(message);
                continue; // drain what is queued before judging the clock
            }
            if (!process.isAlive()) {
                int status = process.waitFor();
                drain(socket);
                return status;
            }
            long now = System.nanoTime();
            if (termSentNanos >= 0) {
                if (stopTimeout != null && now - termSentNanos > stopTimeout.toNanos()) {
                    failures.add("did not stop within " + seconds(stopTimeout.toNanos()) + " of SIGTERM (--stop-timeout): killed with SIGKILL");
                    signalTree(SIGKILL);
                    int status = process.waitFor();
                    drain(socket);
                    return status;
                }
                continue;
            }
            if (readyNanos < 0) {
                long deadline = startTimeout == null ? Long.MAX_VALUE : startNanos + startTimeout.toNanos();
                if (extendUntilNanos != 0 && extendUntilNanos - deadline > 0) {
                    deadline = extendUntilNanos;
                }
                if (deadline != Long.MAX_VALUE && now - deadline > 0) {
                    failures.add("no READY=1 within " + seconds(now - startNanos) + " (--timeout="
                            + (startTimeout == null ? "off" : seconds(startTimeout.toNanos()))
                            + ", plus any EXTEND_TIMEOUT_USEC): systemd would fail the start (Result=timeout)");
                    stop("start timeout");
                    continue;
                }
            }
            if (watchdogUsec > 0 && now - lastPingNanos > TimeUnit.MICROSECONDS.toNanos(watchdogUsec)) {
                failures.add("no WATCHDOG=1 for " + seconds(now - lastPingNanos) + " (--watchdog="
                        + seconds(TimeUnit.MICROSECONDS.toNanos(watchdogUsec))
                        + "): systemd would kill it (Result=watchdog) and restart it with Restart=on-failure");
                stop("watchdog timeout");
                continue;
            }
            if (readyNanos >= 0 && stopAfter != null && now - readyNanos > stopAfter.toNanos()) {
                stop("--stop-after=" + seconds(stopAfter.toNanos()) + " since READY=1");
            }
        }
    }

    private void drain(LocalNotifySocket socket) throws IOException {
        for (LocalNotifySocket.Message message; (message = socket.receive(0)) != null; ) {
            handle(message);
        }
    }

    private void handle(LocalNotifySocket.Message message) {
        long now = System.nanoTime();
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : message.text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        notification(message.pid, fields);
        if (fields.containsKey("MAINPID")) {
            try {
                reportedMainPid = Integer.parseInt(fields.get("MAINPID").trim());
            } catch (NumberFormatException e) {
                failures.add("MAINPID=" + fields.get("MAINPID") + " is not a pid");
            }
        }
        if ("1".equals(fields.get("READY")) && readyNanos < 0) {
            readyNanos = now;
            if (message.pid != 0 && message.pid != mainPid) {
                foreignReadyPid = message.pid;
                failures.add("READY=1 came from pid " + message.pid + ", not from the started process " + mainPid
                        + ": the command starts java as a child instead of exec'ing it, and under systemd's default "
                        + "NotifyAccess=main this READY=1 would be dropped (the start would time out). Use "
                        + "NotifyAccess=all in the unit (java -jar sd-agent.jar unit writes it for scripts), "
                        + "or make the script 'exec java ...'");
            }
        }
        if ("1".equals(fields.get("WATCHDOG"))) {
            pings++;
            lastPingNanos = now;
        } else if ("trigger".equals(fields.get("WATCHDOG"))) {
            failures.add("WATCHDOG=trigger: the application asked for the watchdog action");
            stop("WATCHDOG=trigger");
        }
        if (fields.containsKey("WATCHDOG_USEC")) {
            try {
                watchdogUsec = Long.parseLong(fields.get("WATCHDOG_USEC").trim());
                lastPingNanos = now;
            } catch (NumberFormatException e) {
                failures.add("WATCHDOG_USEC=" + fields.get("WATCHDOG_USEC") + " is not a number");
            }
        }
        if (fields.containsKey("EXTEND_TIMEOUT_USEC")) {
            try {
                extendUntilNanos = now + TimeUnit.MICROSECONDS.toNanos(Long.parseLong(fields.get("EXTEND_TIMEOUT_USEC").trim()));
            } catch (NumberFormatException e) {
                failures.add("EXTEND_TIMEOUT_USEC=" + fields.get("EXTEND_TIMEOUT_USEC") + " is not a number");
            }
        }
        if ("1".equals(fields.get("STOPPING"))) {
            stoppingSeen = true;
        }
    }

    /** SIGTERM to the main process and everything it started, as systemd's default KillMode=control-group does. */
    private void stop(String why) {
        if (termSentNanos >= 0) {
            return;
        }
        termSentNanos = System.nanoTime();
        event("stop", "SIGTERM (" + why + ")");
        signalTree(SIGTERM);
    }

    private void signalTree(int signal) {
        int main = reportedMainPid != 0 ? reportedMainPid : mainPid;
        tree.add(mainPid);
        tree.add(main);
        tree.addAll(ProcessTree.descendants(mainPid));
        for (int pid : tree) {
            LocalNotifySocket.signal(pid, signal);
        }
    }

    private void verdict(int exitStatus) {
        // Whatever the command left behind (a forked JVM whose script already ended) goes, as in a cgroup.
        tree.addAll(ProcessTree.descendants(mainPid));
        for (int pid : tree) {
            if (pid != mainPid) {
                LocalNotifySocket.signal(pid, SIGKILL);
            }
        }
        boolean clean = exitStatus == 0 || exitStatus == 143;
        if (termSentNanos < 0 && readyNanos < 0) {
            failures.add("exited with status " + exitStatus + " before READY=1");
        } else if (readyNanos >= 0 && !stoppingSeen && failures.isEmpty()) {
            failures.add("no STOPPING=1 before the exit");
        }
        if (!clean && failures.isEmpty()) {
            failures.add("exit status " + exitStatus + " (clean is 0, or 143 after SIGTERM with SuccessExitStatus=143)");
        }
        String summary = (readyNanos >= 0 ? "READY=1 after " + seconds(readyNanos - startNanos) : "no READY=1")
                + (watchdogUsec > 0 ? ", " + pings + " watchdog ping" + (pings == 1 ? "" : "s") : "")
                + (stoppingSeen ? ", STOPPING=1" : "") + ", exit status " + exitStatus;
        if (json) {
            StringBuilder line = new StringBuilder("{\"event\":\"verdict\",\"ok\":").append(failures.isEmpty())
                    .append(",\"exit_status\":").append(exitStatus)
                    .append(",\"ready_seconds\":").append(readyNanos >= 0 ? seconds(readyNanos - startNanos, false) : "null")
                    .append(",\"watchdog_pings\":").append(pings)
                    .append(",\"stopping\":").append(stoppingSeen)
                    .append(",\"main_pid\":").append(mainPid)
                    .append(",\"ready_pid\":").append(foreignReadyPid != 0 ? foreignReadyPid : readyNanos >= 0 ? mainPid : 0)
                    .append(",\"failures\":[");
            for (int i = 0; i < failures.size(); i++) {
                line.append(i > 0 ? "," : "").append(Json.string(failures.get(i)));
            }
            out.println(line.append("]}"));
        } else if (failures.isEmpty()) {
            out.println("check: OK: " + summary);
        } else {
            out.println("check: FAILED: " + String.join("; ", failures) + " (" + summary + ")");
        }
    }

    /** A line about what check did ({@code started}, {@code stop}), with the time since the start. */
    private void event(String kind, String text) {
        long since = System.nanoTime() - startNanos;
        if (json) {
            out.println("{\"event\":\"" + kind + "\",\"time\":" + seconds(since, false) + ",\"text\":" + Json.string(text) + "}");
        } else {
            out.println("check: +" + seconds(since) + " " + text);
        }
    }

    /** A line per notification, with the time since the start and the sender when it is not the started process. */
    private void notification(int pid, Map<String, String> fields) {
        long since = System.nanoTime() - startNanos;
        StringBuilder line = new StringBuilder();
        if (json) {
            line.append("{\"event\":\"notify\",\"time\":").append(seconds(since, false)).append(",\"pid\":").append(pid)
                    .append(",\"fields\":{");
            boolean first = true;
            for (Map.Entry<String, String> field : fields.entrySet()) {
                line.append(first ? "" : ",").append(Json.string(field.getKey())).append(':').append(Json.string(field.getValue()));
                first = false;
            }
            out.println(line.append("}}"));
            return;
        }
        for (Map.Entry<String, String> field : fields.entrySet()) {
            line.append(line.length() > 0 ? " " : "").append(field.getKey()).append('=').append(field.getValue());
        }
        out.println("check: +" + seconds(since) + " " + line + (pid != mainPid ? " (from pid " + pid + ")" : ""));
    }

    private static String seconds(long nanos) {
        return seconds(nanos, true);
    }

    private static String seconds(long nanos, boolean unit) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e9) + (unit ? "s" : "");
    }
}
