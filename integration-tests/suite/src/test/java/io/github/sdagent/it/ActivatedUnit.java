package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A socket-activated service: {@code systemd-run --user --socket-property=Listen...=...} makes a transient
 * {@code sdt-act-*.socket} and its {@code .service} under the real user manager; the service starts with the first
 * connection. Output goes to files. {@link #close()} stops and resets both units and kills what is left.
 */
final class ActivatedUnit implements AutoCloseable {

    final String name;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final List<String> socketProperties = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Path out;
    private final Path err;
    private Path workingDirectory;
    private boolean started;

    ActivatedUnit(String scenario) {
        Systemd.require();
        name = "sdt-act-" + scenario + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        Path logs = Suite.logsDir();
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out = logs.resolve(name + ".out");
        err = logs.resolve(name + ".err");
        property("Type", "notify");
        property("TimeoutStartSec", "180");
        property("TimeoutStopSec", "20");
        property("SuccessExitStatus", "143");
        property("StandardOutput", "file:" + out);
        property("StandardError", "file:" + err);
    }

    ActivatedUnit property(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /** A property of the socket unit, e.g. {@code ListenStream=127.0.0.1:8080}; may repeat. */
    ActivatedUnit socket(String keyValue) {
        socketProperties.add(keyValue);
        return this;
    }

    ActivatedUnit env(String key, String value) {
        environment.put(key, value);
        return this;
    }

    /** The command line an operator's ExecStart would have for {@code app} with the agent. */
    static List<String> appCommand(Jdk jdk, App app, String agentOptions, List<String> extraJvmFlags) {
        List<String> command = new ArrayList<>();
        command.add(jdk.java().toString());
        command.addAll(extraJvmFlags);
        command.add("-javaagent:" + Suite.agentJar() + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
        command.add("-jar");
        command.add(app.jar().toString());
        return command;
    }

    ActivatedUnit workingDirectory(Path directory) {
        workingDirectory = directory;
        return this;
    }

    /** Starts the socket unit only; the service follows the first connection. */
    ActivatedUnit listen(List<String> command) {
        List<String> run = new ArrayList<>(List.of("systemd-run", "--user", "--unit=" + name,
                "--description=sd-agent socket activation test " + name));
        properties.forEach((key, value) -> run.add("--property=" + key + "=" + value));
        socketProperties.forEach(p -> run.add("--socket-property=" + p));
        environment.forEach((key, value) -> run.add("--setenv=" + key + "=" + value));
        if (workingDirectory != null) {
            run.add("--working-directory=" + workingDirectory);
        }
        run.add("--");
        run.addAll(command);
        started = true;
        Systemd.run(run).check();
        return this;
    }

    String serviceState() {
        return Systemd.systemctl("show", name + ".service", "-p", "ActiveState", "--value").output.strip();
    }

    String statusText() {
        return Systemd.systemctl("show", name + ".service", "-p", "StatusText", "--value").output.strip();
    }

    long mainPid() {
        String pid = Systemd.systemctl("show", name + ".service", "-p", "MainPID", "--value").output.strip();
        return pid.isEmpty() ? 0 : Long.parseLong(pid);
    }

    String stderr() {
        return read(err);
    }

    String diagnostics() {
        return "service " + serviceState() + ", status \"" + statusText() + "\"\n--- stderr (" + err + "):\n"
                + tail(read(err)) + "\n--- stdout (" + out + "):\n" + tail(read(out));
    }

    @Override
    public void close() {
        if (!started) {
            return;
        }
        long pid = mainPid();
        Systemd.systemctl("stop", name + ".socket", name + ".service");
        Systemd.systemctl("reset-failed", name + ".socket", name + ".service");
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** The inodes of the sockets listening on TCP {@code port} (any address, IPv4 and IPv6), from /proc/net. */
    static TreeSet<String> listeningInodes(int port) throws IOException {
        TreeSet<String> inodes = new TreeSet<>();
        String hexPort = String.format(":%04X", port);
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines = Files.readAllLines(Paths.get(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[1].endsWith(hexPort) && f[3].equals("0A")) {
                    inodes.add(f[9]);
                }
            }
        }
        return inodes;
    }

    /** fd number -> socket inode, for every socket {@code pid} holds. */
    static Map<Integer, String> socketFds(long pid) throws IOException {
        Map<Integer, String> sockets = new LinkedHashMap<>();
        try (var fds = Files.list(Paths.get("/proc/" + pid + "/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        sockets.put(Integer.parseInt(fd.getFileName().toString()),
                                target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // gone
                }
            }
        }
        return sockets;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    /** Waits for the service to be active, failing with diagnostics after {@code timeout}. */
    void awaitActive(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        String state;
        while (!(state = serviceState()).equals("active")) {
            if (state.equals("failed") || System.nanoTime() > end) {
                fail("service " + name + " did not become active\n" + diagnostics());
            }
            sleep(100);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static String tail(String text) {
        return text.length() <= 6000 ? text : "...\n" + text.substring(text.length() - 6000);
    }
}
