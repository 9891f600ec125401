package io.github.sdagent.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 15, faults of systemd itself while a service runs under the agent, with real systemd user managers (units
 * named sdt-rel-*, always cleaned up). daemon-reexec is never done to the shared user manager other tests and
 * sessions use: {@link #daemonReexecAndDaemonReloadKeepTheServiceAndItsPings} starts a private manager of its own
 * (integration-tests/private-manager.sh) and re-executes that one.
 */
class SystemdFaultsIT {

    static final String APP = ReliabilityIT.APP;
    static final String STARTED = ReliabilityIT.STARTED;
    /** Fewer, fixed JVM threads, so that a calibrated task limit means the same on every run. */
    static final List<String> FEW_THREADS = Arrays.asList("-XX:+UseSerialGC", "-XX:CICompilerCount=2",
            "-XX:-UseDynamicNumberOfCompilerThreads");

    @TempDir
    Path dir;

    private final List<String> units = new ArrayList<>();
    private String runtimeDir = UserManager.RUNTIME_DIR;
    private String privateManager;

    @AfterEach
    void cleanUp() throws Exception {
        for (String unit : units) {
            for (String[] command : new String[][] {{"kill", "--signal=SIGKILL", unit}, {"stop", unit}, {"reset-failed", unit}}) {
                List<String> args = new ArrayList<>(Arrays.asList("systemctl", "--user"));
                args.addAll(Arrays.asList(command));
                run(args.toArray(new String[0]));
            }
        }
        if (privateManager != null) {
            run(script().toString(), "stop", privateManager);
        }
    }

    private static Path script() {
        return Paths.get("..", "integration-tests", "private-manager.sh").toAbsolutePath().normalize();
    }

    /** Runs a command against the manager in use (XDG_RUNTIME_DIR); returns its output. */
    private String run(String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("XDG_RUNTIME_DIR", runtimeDir);
        Process process = builder.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = process.getInputStream()) {
            in.transferTo(out);
        }
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + Arrays.toString(command));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private Map<String, String> show(String unit) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String line : run("systemctl", "--user", "show", unit, "-p",
                "ActiveState,SubState,Result,StatusText,NRestarts,MainPID,WatchdogTimestampMonotonic,TasksCurrent").split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                properties.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return properties;
    }

    private Map<String, String> await(String unit, long timeoutMillis, String... states) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        Map<String, String> seen = show(unit);
        while (!Arrays.asList(states).contains(seen.get("ActiveState")) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            seen = show(unit);
        }
        return seen;
    }

    private String unit(String what) {
        String unit = "sdt-rel-" + what + "-" + ThreadLocalRandom.current().nextInt(1_000_000) + ".service";
        units.add(unit);
        return unit;
    }

    /** systemd-run --user ... java [jvmArgs] FaultApp mode, output to {@code output}. */
    private String start(String unit, Path output, List<String> properties, String javaHome, List<String> jvmArgs,
                         String mode) throws Exception {
        List<String> command = new ArrayList<>(Arrays.asList("systemd-run", "--user", "--unit=" + unit,
                "-p", "SuccessExitStatus=143", "-p", "TimeoutStartSec=60",
                "-p", "StandardOutput=file:" + output, "-p", "StandardError=file:" + output));
        for (String property : properties) {
            command.add("-p");
            command.add(property);
        }
        command.add(ForkedJvm.java(javaHome));
        command.addAll(jvmArgs);
        command.addAll(Arrays.asList("-cp", ForkedJvm.testClasspath(), APP, mode));
        return run(command.toArray(new String[0]));
    }

    private static String read(Path output) throws Exception {
        return Files.exists(output) ? new String(Files.readAllBytes(output), StandardCharsets.UTF_8) : "";
    }

    private static long pingedAt(Map<String, String> state) {
        return Long.parseLong(state.get("WatchdogTimestampMonotonic"));
    }

    /** A manager of our own to re-execute; without root or cgroups: skipped, or failed under SDAGENT_REQUIRE_SYSTEMD=1. */
    private void usePrivateManager() throws Exception {
        UserManager.require();
        String name = "sdt-rel-manager-" + ThreadLocalRandom.current().nextInt(1_000_000);
        String started = run(script().toString(), "start", name);
        if (!started.contains("XDG_RUNTIME_DIR=")) {
            String why = "cannot start a private user manager: " + started;
            if ("1".equals(System.getenv("SDAGENT_REQUIRE_SYSTEMD"))) {
                fail(why);
            }
            Assumptions.assumeTrue(false, why);
        }
        privateManager = name;
        runtimeDir = started.substring(started.indexOf("XDG_RUNTIME_DIR=") + "XDG_RUNTIME_DIR=".length()).trim();
    }

    /**
     * daemon-reexec and daemon-reload while the service runs with WatchdogSec=: no restart, the same main process,
     * and pings keep reaching the manager (its WatchdogTimestamp moves on after each), on JDK 17 and 25.
     */
    @Test
    void daemonReexecAndDaemonReloadKeepTheServiceAndItsPings() throws Exception {
        usePrivateManager();
        for (String javaHome : new String[] {ForkedJvm.JDK17, ForkedJvm.JDK25}) {
            String unit = unit("reexec");
            Path output = dir.resolve(unit + ".out");
            String started = start(unit, output, Arrays.asList("Type=notify", "WatchdogSec=3"), javaHome,
                    Arrays.asList("-javaagent:" + ForkedJvm.agentJar() + "=ready=" + STARTED), "run");
            Map<String, String> state = await(unit, 60_000, "active", "failed");
            assertEquals("active", state.get("ActiveState"), started + state + read(output));
            String mainPid = state.get("MainPID");
            for (String operation : new String[] {"daemon-reexec", "daemon-reload", "daemon-reexec"}) {
                Thread.sleep(2000);
                long before = pingedAt(show(unit));
                String said = run("systemctl", "--user", operation);
                Thread.sleep(4000); // more than WatchdogSec: a service whose pings got lost would be killed by now
                state = show(unit);
                assertEquals("active", state.get("ActiveState"), operation + ": " + said + state + read(output));
                assertEquals(mainPid, state.get("MainPID"), operation + " restarted the service: " + state);
                assertEquals("0", state.get("NRestarts"), operation + ": " + state);
                assertTrue(pingedAt(state) > before, operation + ": no ping reached the manager after it: " + state);
            }
            run("systemctl", "--user", "stop", unit);
            assertEquals("success", show(unit).get("Result"), read(output));
            assertFalse(read(output).contains("could not send"), read(output));
        }
    }

    /**
     * A task limit that leaves no room for the agent's thread: the agent says so in one line and the application runs
     * on. The limit comes from a calibration run without the agent (its task count, plus one for the agent's start-up
     * thread), since the JVM's own threads start while premain runs.
     */
    @ParameterizedTest
    @ValueSource(ints = {17, 25})
    void aTaskLimitThatRefusesTheAgentsThreadIsSaidOnceAndTheApplicationRunsOn(int version) throws Exception {
        UserManager.require();
        String javaHome = version == 17 ? ForkedJvm.JDK17 : ForkedJvm.JDK25;
        String calibration = unit("tasks-calibration");
        Path calibrationOutput = dir.resolve("calibration.out");
        start(calibration, calibrationOutput, Arrays.asList("Type=simple"), javaHome, FEW_THREADS, "run");
        long deadline = System.currentTimeMillis() + 60_000;
        while (!read(calibrationOutput).contains("app started") && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(1000); // the JVM's lazily started threads
        String tasks = show(calibration).get("TasksCurrent");
        Assumptions.assumeTrue(tasks != null && tasks.matches("\\d+"), "no pids controller for user units: TasksCurrent=" + tasks);
        int limit = Integer.parseInt(tasks) + 1;
        run("systemctl", "--user", "stop", calibration);

        String unit = unit("tasks");
        Path output = dir.resolve("tasks.out");
        List<String> jvmArgs = new ArrayList<>(FEW_THREADS);
        jvmArgs.add("-javaagent:" + ForkedJvm.agentJar() + "=ready=" + STARTED);
        start(unit, output, Arrays.asList("Type=simple", "NotifyAccess=main", "TasksMax=" + limit), javaHome, jvmArgs, "run");
        deadline = System.currentTimeMillis() + 60_000;
        while (!read(output).contains("app started") && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(3000); // anything the agent would still try (hooks firing, sends) has happened by now
        String text = read(output);
        Map<String, String> state = show(unit);
        assertEquals("active", state.get("ActiveState"), "TasksMax=" + limit + ": " + state + text);
        assertTrue(text.contains("app started"), text);
        List<String> agentLines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("sd-agent:")) {
                agentLines.add(line);
            }
        }
        assertEquals(1, agentLines.size(), "TasksMax=" + limit + ", one line from the agent: " + text);
        assertTrue(agentLines.get(0).startsWith("sd-agent: cannot start a thread of its own (java.lang.OutOfMemoryError: "
                + "unable to create native thread"), text);
        assertTrue(agentLines.get(0).contains("TasksMax= or LimitNPROC= is reached. The agent is inactive and the "
                + "application runs without it"), text);
        assertFalse(text.contains("Failed to start thread \"VM") || text.contains("Failed to start thread \"Common"),
                "a JVM thread lost its place to the agent's: " + text);
    }
}
