package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * One transient service started with {@code systemd-run --user --no-block}: a forked JVM under the
 * real user manager. Its stdout and stderr go to files (the journal may not run here), and an
 * ExecStopPost line records how systemd accounted for the exit, since a transient unit that stops
 * cleanly is unloaded at once. {@link #close()} always stops it, resets it and kills what is left.
 */
final class Unit implements AutoCloseable {
    static final String SHOW = "ActiveState,SubState,Result,StatusText,NRestarts,ExecMainStatus,MainPID,"
            + "WatchdogTimestampMonotonic";

    /**
     * How long a JVM may take to become ready. Generous: six JVMs start at once on two cores, and a
     * Spring Boot start took 62 s when other builds loaded this machine.
     */
    static final Duration START_TIMEOUT = Duration.ofSeconds(150);

    final String name;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Path out;
    private final Path err;
    private final Path exit;
    private final List<String> history = new ArrayList<>();
    private final List<Long> mainPids = new ArrayList<>();
    private Path workingDirectory;
    private boolean started;

    /** {@code scenario} names the unit (sdagent-it-SCENARIO-RANDOM) and its log files. */
    Unit(String scenario) {
        Systemd.require();
        // it.unit.prefix: several checkouts testing at once under one user manager keep their units apart
        name = System.getProperty("it.unit.prefix", "sdagent-it-") + scenario + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        Path logs = Suite.logsDir();
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out = logs.resolve(name + ".out");
        err = logs.resolve(name + ".err");
        exit = logs.resolve(name + ".exit");
        property("Type", "notify");
        property("TimeoutStartSec", "180");
        property("TimeoutStopSec", "20");
        // A JVM ends with 128+15 after SIGTERM; this is what an operator's unit needs too (see README).
        property("SuccessExitStatus", "143");
        property("StandardOutput", "file:" + out);
        property("StandardError", "file:" + err);
        property("ExecStopPost", "/bin/sh " + exitRecorder(logs) + " " + exit);
    }

    /**
     * A script for ExecStopPost that appends systemd's account of the exit to its argument. A script,
     * not an inline {@code sh -c "$$SERVICE_RESULT..."}: after anyone's {@code daemon-reload} systemd
     * re-reads transient units from files in which such dollars come back literal.
     */
    private static synchronized Path exitRecorder(Path logs) {
        Path script = logs.resolve("record-exit.sh");
        try {
            if (!Files.exists(script)) {
                Files.writeString(script, "#!/bin/sh\necho \"$SERVICE_RESULT $EXIT_CODE $EXIT_STATUS\" >> \"$1\"\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return script;
    }

    /** Adds or replaces a unit property ({@code systemd-run -p KEY=VALUE}); a null value drops it. */
    Unit property(String key, String value) {
        if (value == null) {
            properties.remove(key);
        } else {
            properties.put(key, value);
        }
        return this;
    }

    Unit env(String key, String value) {
        environment.put(key, value);
        return this;
    }

    Unit workingDirectory(Path directory) {
        workingDirectory = directory;
        return this;
    }

    /** A JVM running {@code app} with the agent and {@code agentOptions}, as an operator's ExecStart would. */
    Unit startApp(Jdk jdk, App app, String agentOptions, List<String> extraJvmFlags) {
        List<String> command = new ArrayList<>();
        command.add(jdk.java().toString());
        command.addAll(extraJvmFlags);
        command.add("-javaagent:" + Suite.agentJar() + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
        command.add("-jar");
        command.add(app.jar().toString());
        command.addAll(app.args());
        workingDirectory(app.jar().getParent());
        return start(command);
    }

    Unit start(List<String> command) {
        List<String> run = new ArrayList<>(List.of("systemd-run", "--user", "--no-block", "--unit=" + name,
                "--description=sd-agent integration test " + name));
        properties.forEach((key, value) -> run.add("--property=" + key + "=" + value));
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

    State show() {
        Systemd.Result shown = Systemd.systemctl("show", name, "-p", SHOW);
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : shown.output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        State state = new State(values);
        record(state);
        return state;
    }

    private synchronized void record(State state) {
        String seen = state.active() + "/" + state.sub() + " status=\"" + state.statusText() + "\" result=" + state.result()
                + " restarts=" + state.get("NRestarts");
        if (history.isEmpty() || !history.get(history.size() - 1).equals(seen)) {
            history.add(seen);
        }
        long pid = state.mainPid();
        if (pid > 0 && !mainPids.contains(pid)) {
            mainPids.add(pid);
        }
    }

    /** Polls {@code systemctl show} until {@code condition} holds; fails with what was seen after {@code timeout}. */
    State await(String what, Duration timeout, Predicate<State> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            State state = show();
            if (condition.test(state)) {
                return state;
            }
            if (System.nanoTime() > deadline) {
                fail("unit " + name + " did not reach \"" + what + "\" within " + timeout.toSeconds() + " s\n" + diagnostics());
            }
            sleep(50);
        }
    }

    /**
     * Inactive because its run ended (ExecStopPost recorded it), not because the {@code --no-block} start job has
     * not run yet: right after systemd-run the unit is inactive too, and a test that took that for the end raced.
     */
    boolean endedInactive(State state) {
        return state.is("inactive") && !exitRecord().isEmpty();
    }

    /** Like {@link #await} but waits out the whole period, failing as soon as {@code invariant} breaks. */
    void holds(String what, Duration period, Predicate<State> invariant) {
        long end = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < end) {
            State state = show();
            if (!invariant.test(state)) {
                fail("unit " + name + " stopped being \"" + what + "\": " + state + "\n" + diagnostics());
            }
            sleep(200);
        }
    }

    /** Every distinct state this test saw, in order. */
    synchronized List<String> history() {
        return List.copyOf(history);
    }

    synchronized boolean sawActiveState(String activeState) {
        return history.stream().anyMatch(h -> h.startsWith(activeState + "/"));
    }

    String stdout() {
        return read(out);
    }

    String stderr() {
        return read(err);
    }

    /** ExecStopPost's lines: "$SERVICE_RESULT $EXIT_CODE $EXIT_STATUS" per run of the service. */
    String exitRecord() {
        return read(exit).strip();
    }

    /** What a failure message should carry: the states seen and the unit's own output. */
    String diagnostics() {
        return "states seen: " + String.join(" -> ", history())
                + "\n--- stderr (" + err + "):\n" + tail(stderr())
                + "\n--- stdout (" + out + "):\n" + tail(stdout());
    }

    @Override
    public void close() {
        if (!started) {
            return;
        }
        Systemd.systemctl("stop", name);
        Systemd.systemctl("reset-failed", name);
        List<Long> pids;
        synchronized (this) {
            pids = List.copyOf(mainPids);
        }
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
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

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** One {@code systemctl show} answer. */
    static final class State {
        private final Map<String, String> values;

        State(Map<String, String> values) {
            this.values = values;
        }

        String get(String key) {
            return values.getOrDefault(key, "");
        }

        String active() {
            return get("ActiveState");
        }

        String sub() {
            return get("SubState");
        }

        String result() {
            return get("Result");
        }

        String statusText() {
            return get("StatusText");
        }

        int restarts() {
            return Integer.parseInt(get("NRestarts").isEmpty() ? "0" : get("NRestarts"));
        }

        long mainPid() {
            return get("MainPID").isEmpty() ? 0 : Long.parseLong(get("MainPID"));
        }

        long watchdogTimestamp() {
            return get("WatchdogTimestampMonotonic").isEmpty() ? 0 : Long.parseLong(get("WatchdogTimestampMonotonic"));
        }

        boolean is(String activeState) {
            return active().equals(activeState);
        }

        @Override
        public String toString() {
            return values.toString();
        }
    }
}
