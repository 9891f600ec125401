package io.github.sdagent.agent;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Transient units (sdt-wd-*) running testapp.WatchdogApp with the agent, for the watchdog tests; always cleaned up. */
final class WatchdogUnits implements AutoCloseable {

    static final String APP = "io.github.sdagent.agent.testapp.WatchdogApp";
    static final String READY = "ready=" + APP + "#ready";

    private final Path dir;
    private final List<String> units = new ArrayList<>();

    WatchdogUnits(Path dir) {
        this.dir = dir;
    }

    static String jdk(String version) {
        return version.equals("25") ? ForkedJvm.JDK25 : ForkedJvm.JDK17;
    }

    String name(String what) {
        String unit = "sdt-wd-" + what + "-" + ThreadLocalRandom.current().nextInt(1_000_000) + ".service";
        units.add(unit);
        return unit;
    }

    Path output(String unit) {
        return dir.resolve(unit + ".out");
    }

    /**
     * The file an ExecStopPost= line appends to, one line per stop: the result, a timestamp, systemd's own monotonic
     * timestamps (µs) of the unit's start ({@code InactiveExitTimestampMonotonic}), of the moment it stopped being
     * active ({@code ActiveExitTimestampMonotonic}, 0 if it never was) and of its last change of state
     * ({@code StateChangeTimestampMonotonic}: here, the main process has gone), then the StatusText systemd still holds.
     * (The last ping's timestamp is 0 by then: read it with {@link #lastPing} while the unit runs.)
     */
    Path recorder(String unit) {
        return dir.resolve(unit + ".stops");
    }

    /**
     * {@code systemd-run --user} a Type=notify unit running the app; {@code properties} are unit properties. Transient
     * units get no specifier expansion: '%' and the unit name are written literally.
     */
    String start(String unit, String jdkVersion, String agentOptions, List<String> jvmArgs, String classpath,
                 List<String> appArgs, String... properties) throws Exception {
        List<String> command = new ArrayList<>(Arrays.asList("systemd-run", "--user", "--unit=" + unit,
                "-p", "Type=notify", "-p", "SuccessExitStatus=143",
                "-p", "Environment=XDG_RUNTIME_DIR=" + UserManager.RUNTIME_DIR,
                "-p", "StandardOutput=file:" + output(unit), "-p", "StandardError=file:" + output(unit),
                "-p", "ExecStopPost=/bin/sh " + recorderScript() + " " + unit + " " + recorder(unit)));
        for (String property : properties) {
            command.add("-p");
            command.add(property);
        }
        command.add(ForkedJvm.java(jdk(jdkVersion)));
        command.add("-javaagent:" + ForkedJvm.agentJar() + "=" + agentOptions);
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath == null ? ForkedJvm.testClasspath() : classpath);
        command.add(APP);
        command.addAll(appArgs);
        return UserManager.run(command.toArray(new String[0]));
    }

    /**
     * The ExecStopPost= recorder, a script file: no '$' in the unit's command line (systemd expands '$' there, and
     * once, under a manager that other sessions reload, a '$$' escape came through literally).
     */
    private Path recorderScript() throws Exception {
        Path script = dir.resolve("record-stop.sh");
        if (!Files.exists(script)) {
            Files.write(script, ("#!/bin/sh\n"
                    + "times=$(systemctl --user show -p InactiveExitTimestampMonotonic"
                    + " -p ActiveExitTimestampMonotonic -p StateChangeTimestampMonotonic \"$1\" | tr '\\n' ' ')\n"
                    + "echo \"result=$SERVICE_RESULT at=$(date +%s%3N) $times$(systemctl --user show -p StatusText \"$1\")\" >> \"$2\"\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return script;
    }

    /** A systemd timestamp (µs) the recorder wrote in the first line of {@code stops}, e.g. ActiveExitTimestampMonotonic. */
    static long recorded(String stops, String property) {
        java.util.regex.Matcher value = java.util.regex.Pattern.compile(" " + property + "=(\\d+) ").matcher(stops);
        if (!value.find()) {
            throw new AssertionError("no " + property + " in the recorded stop: " + stops);
        }
        return Long.parseLong(value.group(1));
    }

    /**
     * systemd's timestamp of the unit's last WATCHDOG=1 (µs, monotonic): it moves only while the agent pings (and is 0
     * once the unit no longer runs).
     */
    static long lastPing(String unit) throws Exception {
        return Long.parseLong(UserManager.run("systemctl", "--user", "show", "-p", "WatchdogTimestampMonotonic", "--value", unit).trim());
    }

    String stops(String unit) throws Exception {
        Path file = recorder(unit);
        return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    }

    String out(String unit) throws Exception {
        Path file = output(unit);
        return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    }

    /** Waits (up to 60 s) until the unit is active, and fails with its output if it failed instead. */
    void awaitActive(String unit) throws Exception {
        org.junit.jupiter.api.Assertions.assertEquals("active",
                UserManager.await(unit, 60_000, "active", "failed").get("ActiveState"), out(unit));
    }

    /** Waits until the recorder has a line (the unit stopped at least once). */
    String awaitStop(String unit, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (stops(unit).isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        return stops(unit);
    }

    /** Polls StatusText (every 100 ms) until {@code condition} holds for one value; returns every value seen. */
    static Set<String> statusesUntil(String unit, long timeoutMillis, java.util.function.Predicate<String> condition) throws Exception {
        Set<String> seen = new LinkedHashSet<>();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            String status = UserManager.show(unit).get("StatusText");
            seen.add(status);
            if (condition.test(status)) {
                return seen;
            }
            Thread.sleep(100);
        }
        return Collections.unmodifiableSet(seen);
    }

    @Override
    public void close() {
        units.forEach(UserManager::cleanUp);
    }
}
