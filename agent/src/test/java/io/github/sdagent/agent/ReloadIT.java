package io.github.sdagent.agent;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code reload=} under real systemd: the machine's user manager (systemd 252 here: {@code Type=notify} with
 * {@code ExecReload=/bin/kill -HUP $MAINPID}) and a private systemd 254 user manager from
 * {@code integration-tests/systemd254.sh} ({@code Type=notify-reload}). Units are named sdt-reload-*, always removed.
 * The application is {@link io.github.sdagent.agent.testapp.ReloadableApp}, which prints one line per reload call.
 */
class ReloadIT {

    static final String APP = "io.github.sdagent.agent.testapp.ReloadableApp";
    static final String READY = "ready=" + APP + "#start";
    static final long WAIT_MILLIS = 60_000;

    @TempDir
    Path dir;

    private final List<Runnable> cleanUps = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        cleanUps.forEach(Runnable::run);
    }

    // ---- systemd 252 (the machine's user manager): Type=notify + ExecReload=kill -HUP $MAINPID ----

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void notifyUnitWithExecReloadKill(String jdk) throws Exception {
        Manager manager = Manager.machine();
        Unit unit = start(manager, jdk, "reload=" + APP + "#reload", 0, "Type=notify", "ExecReload=/bin/kill -HUP $MAINPID");
        // kill returns at once: systemctl reload is done before the reload is (and whether systemd 252 shows
        // "reloading" depends on which it notices first: kill's exit or the agent's RELOADING=1; see docs/reload.md)
        unit.reload();
        unit.awaitCalls("reload", 1);
        assertReloaded(unit, unit.awaitStatus("Reloaded at "), 1);

        // A signal that reaches the service while systemd considers it running: RELOADING=1 moves the unit to
        // "reloading" until READY=1, deterministically (the reload method waits for the hold file meanwhile)
        Files.createFile(unit.hold);
        manager.systemctl("kill", "--kill-whom=main", "--signal=SIGHUP", unit.name);
        Map<String, String> state = unit.await("reloading", "RELOADING=1 did not move the unit to reloading");
        assertEquals("reload", state.get("SubState"), state.toString());
        unit.awaitCalls("reload", 2);
        Files.delete(unit.hold);
        assertReloaded(unit, unit.await("active", "READY=1 did not end the reload"), 2);
    }

    @Test
    void signalsDuringAReloadAreCoalescedIntoOneMoreReload() throws Exception {
        Manager manager = Manager.machine();
        Unit unit = start(manager, "17", "reload=" + APP + "#reload", 0, "Type=notify", "ExecReload=/bin/kill -HUP $MAINPID");
        Files.createFile(unit.hold);
        manager.systemctl("kill", "--kill-whom=main", "--signal=SIGHUP", unit.name);
        unit.await("reloading", "the unit never entered reloading");
        unit.awaitCalls("reload", 1);
        for (int i = 0; i < 3; i++) {
            manager.systemctl("kill", "--kill-whom=main", "--signal=SIGHUP", unit.name);
        }
        Thread.sleep(2_000); // the JVM dispatches each signal on a thread of its own: let all three arrive first
        Files.delete(unit.hold);
        unit.awaitCalls("reload", 2);
        Map<String, String> state = unit.await("active", "not active after the coalesced reload");
        Thread.sleep(2_000);
        assertEquals(2, unit.reloadCalls("reload"), "three signals during one reload make exactly one more: " + unit.output());
        assertReloaded(unit, state, 2);
    }

    @Test
    void aReloadRequestedWhileStartingRunsOnceTheServiceIsReady() throws Exception {
        Manager manager = Manager.machine();
        Unit unit = start(manager, "17", "reload=" + APP + "#reload,log-level=debug", 8_000, "Type=notify",
                "ExecReload=/bin/kill -HUP $MAINPID");
        unit.awaitOutput("reload: SIGHUP calls"); // the agent's handler is in place, the app still sleeps
        assertEquals("activating", manager.show(unit.name).get("ActiveState"));
        manager.systemctl("kill", "--kill-whom=main", "--signal=SIGHUP", unit.name);
        unit.awaitOutput("SIGHUP while starting: the reload runs once the service is ready");
        assertEquals(0, unit.reloadCalls("reload"), unit.output());
        unit.awaitCalls("reload", 1);
        Map<String, String> state = unit.await("active", "not active after start and reload");
        assertTrue(state.get("StatusText").contains("requested while starting"), state.toString());
        assertReloaded(unit, state, 1);
        assertTrue(unit.output().indexOf("started pid") < unit.output().indexOf("reload 1 reload"), unit.output());
    }

    // ---- systemd 254 (bookworm-backports, private user manager): Type=notify-reload ----

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void notifyReloadUnit(String jdk) throws Exception {
        Manager manager = Manager.systemd254();
        Unit unit = start(manager, jdk, "reload=" + APP + "#reload", 0, "Type=notify-reload");
        Files.createFile(unit.hold);
        // systemctl reload now waits for READY=1, which comes after the reload method has returned
        Process reload = manager.start("reload", unit.name);
        unit.await("reloading", "the unit never entered reloading");
        // reload-signal: systemd sent SIGHUP; reload-notify: it has our RELOADING=1 and waits for READY=1
        assertEquals("reload-notify", unit.awaitSubState("reload-notify").get("SubState"));
        unit.awaitCalls("reload", 1);
        assertTrue(reload.isAlive(), "systemctl reload returned before the reload method did");
        Files.delete(unit.hold);
        assertTrue(reload.waitFor(WAIT_MILLIS, TimeUnit.MILLISECONDS), "systemctl reload did not return");
        assertEquals(0, reload.exitValue());
        assertReloaded(unit, manager.show(unit.name), 1);

        unit.reload();
        assertReloaded(unit, manager.show(unit.name), 2);
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void failingReloadMethodIsReportedAndTheUnitStaysActive(String jdk) throws Exception {
        Manager manager = Manager.systemd254();
        Unit unit = start(manager, jdk, "reload=" + APP + "#failingReload", 0, "Type=notify-reload");
        unit.reload();
        Map<String, String> state = manager.show(unit.name);
        assertEquals("active", state.get("ActiveState"), state + unit.output());
        assertTrue(state.get("StatusText").matches("Reload failed at \\d\\d:\\d\\d:\\d\\d after \\d+\\.\\d\\d s: "
                + "java\\.io\\.IOException: config line 3: unknown key 'colour'"), state.toString());
        assertEquals(unit.mainPid, state.get("MainPID"));
        assertEquals(1, unit.reloadCalls("failingReload"));
        assertTrue(unit.output().contains("sd-agent: SIGHUP: " + APP + "#failingReload failed after"), unit.output());
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void hangingReloadMethodTimesOutAndIsNotCalledAgainWhileItHangs(String jdk) throws Exception {
        Manager manager = Manager.systemd254();
        Unit unit = start(manager, jdk, "reload=" + APP + "#hangingReload,reload-timeout=1s", 0, "Type=notify-reload");
        long began = System.nanoTime();
        unit.reload();
        assertTrue(System.nanoTime() - began >= 900_000_000L, "systemctl reload returned before the timeout");
        Map<String, String> state = manager.show(unit.name);
        assertEquals("active", state.get("ActiveState"), state + unit.output());
        assertTrue(state.get("StatusText").startsWith("Reload timed out at "), state.toString());
        assertTrue(state.get("StatusText").endsWith(APP + "#hangingReload has not returned after 1.00 s (reload-timeout) and is still running"), state.toString());
        assertEquals("110", state.get("StatusErrno"), "ETIMEDOUT");

        unit.reload();
        state = manager.show(unit.name);
        assertEquals("active", state.get("ActiveState"), state + unit.output());
        assertTrue(state.get("StatusText").startsWith("Reload not run at "), state.toString());
        assertEquals("16", state.get("StatusErrno"), "EBUSY");
        assertEquals(1, unit.reloadCalls("hangingReload"), "never a second call beside the hanging one: " + unit.output());
        assertEquals(unit.mainPid, state.get("MainPID"));
    }

    @Test
    void staticReloadMethodOnAnotherSignal() throws Exception {
        Manager manager = Manager.systemd254();
        Unit unit = start(manager, "25", "reload=" + APP + "#reloadStatic,reload-signal=USR1", 0, "Type=notify-reload",
                "ReloadSignal=SIGUSR1");
        unit.reload();
        assertEquals(1, unit.reloadCalls("reloadStatic"), unit.output());
        Map<String, String> state = manager.show(unit.name);
        assertTrue(state.get("StatusText").startsWith("Reloaded at "), state.toString());
        assertTrue(state.get("StatusText").endsWith("(" + APP + "#reloadStatic)"), state.toString());
    }

    // ---- forked JVM, notify socket of our own: the wire format, and nothing without reload= ----

    @Test
    void reloadingCarriesClockMonotonicMicrosecondsThenReady() throws Exception {
        Path hold = dir.resolve("hold");
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK17, agentArgs(READY + ",reload=" + APP + "#reload"), APP,
                     Arrays.asList("0", hold.toString()), Collections.singletonMap("NOTIFY_SOCKET", receiver.path().toString()))) {
            List<String> seen = new ArrayList<>();
            assertNotNull(receiver.awaitContaining("READY=1", Duration.ofSeconds(30), seen), seen + app.stderr());
            long before = Clock.monotonicMicros();
            app.signal("HUP");
            String reloading = receiver.awaitContaining("RELOADING=1", Duration.ofSeconds(30), seen);
            long after = Clock.monotonicMicros();
            assertNotNull(reloading, seen + app.stderr());
            Matcher usec = Pattern.compile("(?m)^MONOTONIC_USEC=(\\d+)$").matcher(reloading);
            assertTrue(usec.find(), reloading);
            long stamp = Long.parseLong(usec.group(1));
            assertTrue(before <= stamp && stamp <= after, "CLOCK_MONOTONIC " + before + " <= " + stamp + " <= " + after);
            String ready = receiver.awaitContaining("READY=1", Duration.ofSeconds(30), seen);
            assertNotNull(ready, seen + app.stderr());
            assertTrue(ready.contains("STATUS=Reloaded at "), ready);
            assertTrue(app.process.isAlive());
        }
    }

    @Test
    void noReadyAfterStoppingAndNoReloadDuringShutdown() throws Exception {
        Path hold = dir.resolve("hold");
        Files.createFile(hold);
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK17,
                     agentArgs(READY + ",reload=" + APP + "#reload", "-Dapp.drainMillis=4000"), APP,
                     Arrays.asList("0", hold.toString()), Collections.singletonMap("NOTIFY_SOCKET", receiver.path().toString()))) {
            List<String> seen = new ArrayList<>();
            assertNotNull(receiver.awaitContaining("READY=1", Duration.ofSeconds(30), seen), seen + app.stderr());
            app.signal("HUP");
            assertNotNull(receiver.awaitContaining("RELOADING=1", Duration.ofSeconds(30), seen), seen + app.stderr());
            app.awaitStdout("reload 1 reload", Duration.ofSeconds(30)); // the method waits for the hold file
            app.signal("TERM");
            assertNotNull(receiver.awaitContaining("STOPPING=1", Duration.ofSeconds(30), seen), seen + app.stderr());
            Files.delete(hold); // the reload method returns while the JVM drains
            app.signal("HUP"); // and a new reload request during the shutdown
            assertEquals(143, app.waitFor(Duration.ofSeconds(30)));
            seen.addAll(receiver.drain(Duration.ofMillis(200)));
            int stopping = -1;
            for (int i = 0; i < seen.size(); i++) {
                stopping = seen.get(i).contains("STOPPING=1") ? i : stopping;
            }
            for (String message : seen.subList(stopping, seen.size())) {
                assertFalse(message.contains("READY=1") || message.contains("RELOADING=1"), "after STOPPING=1: " + seen);
            }
            assertTrue(app.stdout().contains("drained"), app.stdout());
            assertTrue(app.stderr().contains("sd-agent: reload finished during shutdown: Reloaded at "), app.stderr());
            assertTrue(app.stderr().contains("sd-agent: SIGHUP during shutdown: no reload"), app.stderr());
            assertEquals(1, Pattern.compile("(?m)^reload \\d+ ").matcher(app.stdout()).results().count(), app.stdout());
        }
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void withoutReloadSighupStillStopsTheJvmAndNoReloadClassLoads(String jdk) throws Exception {
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, javaHome(jdk), agentArgs(READY, "-verbose:class"), APP,
                     Arrays.asList("0", dir.resolve("hold").toString()),
                     Collections.singletonMap("NOTIFY_SOCKET", receiver.path().toString()))) {
            List<String> seen = new ArrayList<>();
            assertNotNull(receiver.awaitContaining("READY=1", Duration.ofSeconds(30), seen), seen + app.stderr());
            Thread.sleep(1_000); // the agent's start-up thread has finished
            app.signal("HUP");
            assertEquals(129, app.waitFor(Duration.ofSeconds(30)), "the JVM's own SIGHUP handling: exit 128+1");
            assertFalse(app.stdout().contains("io.github.sdagent.agent.reload"), "reload classes loaded without reload=");
            assertFalse(app.stdout().contains("io.github.sdagent.agent.ReloadService"), "reload classes loaded without reload=");
            assertTrue(app.stdout().contains("io.github.sdagent.agent.AgentMain"), "-verbose:class shows the agent's classes");
        }
    }

    // ---- helpers ----

    private static String javaHome(String jdk) {
        return jdk.equals("25") ? ForkedJvm.JDK25 : ForkedJvm.JDK17;
    }

    private static List<String> agentArgs(String options, String... more) {
        List<String> args = new ArrayList<>(Arrays.asList(more));
        args.add(0, "-javaagent:" + ForkedJvm.agentJar() + "=" + options);
        args.add("-cp");
        args.add(ForkedJvm.testClasspath());
        return args;
    }

    private void assertReloaded(Unit unit, Map<String, String> state, int calls) throws Exception {
        assertEquals("active", state.get("ActiveState"), state + unit.output());
        assertEquals("running", state.get("SubState"), state.toString());
        assertEquals(unit.mainPid, state.get("MainPID"), "the process was replaced");
        assertEquals("0", state.get("NRestarts"));
        assertTrue(state.get("StatusText").matches("Reloaded at \\d\\d:\\d\\d:\\d\\d in \\d+\\.\\d\\d s \\("
                + Pattern.quote(APP) + "#reload(, requested while starting)?\\)"), state.toString());
        assertEquals(calls, unit.reloadCalls("reload"), "the reload method ran once per reload: " + unit.output());
        assertTrue(unit.output().contains("reload " + calls + " reload on sd-agent-reload-call"), unit.output());
    }

    /**
     * Starts the app as a unit and waits for READY=1 (unless the app starts slowly). On the machine's manager it is a unit
     * file: systemd 252 writes a transient unit's {@code $MAINPID} as {@code \$MAINPID} into its transient file, so
     * after any {@code daemon-reload} (other tests run one) {@code ExecReload=/bin/kill -HUP $MAINPID} of a
     * {@code systemd-run} unit gets a literal argument. The private systemd 254 manager gets transient units.
     */
    private Unit start(Manager manager, String jdk, String reloadOptions, long startDelayMillis, String... properties)
            throws Exception {
        String name = "sdt-reload-" + ThreadLocalRandom.current().nextInt(1_000_000) + ".service";
        Path output = dir.resolve("out.txt");
        Path hold = dir.resolve("hold");
        List<String> settings = new ArrayList<>(Arrays.asList("SuccessExitStatus=143", "TimeoutStartSec=90",
                "StandardOutput=file:" + output, "StandardError=file:" + output));
        settings.addAll(Arrays.asList(properties));
        List<String> java = new ArrayList<>();
        java.add(ForkedJvm.java(javaHome(jdk)));
        java.addAll(agentArgs(READY + "," + reloadOptions));
        java.add(APP);
        java.add(Long.toString(startDelayMillis));
        java.add(hold.toString());
        List<String> command;
        if (manager.unitDirectory != null) {
            Path file = manager.unitDirectory.resolve(name);
            Files.createDirectories(manager.unitDirectory);
            Files.writeString(file, "[Service]\n" + String.join("\n", settings) + "\nExecStart=" + String.join(" ", java) + "\n");
            cleanUps.add(() -> {
                manager.cleanUp(name);
                file.toFile().delete();
            });
            command = new ArrayList<>(manager.systemctl);
            command.addAll(startDelayMillis > 0 ? Arrays.asList("start", "--no-block", name) : Arrays.asList("start", name));
        } else {
            cleanUps.add(() -> manager.cleanUp(name));
            command = new ArrayList<>(manager.systemdRun);
            if (startDelayMillis > 0) {
                command.add("--no-block");
            }
            command.add("--unit=" + name);
            for (String setting : settings) {
                command.add("-p");
                command.add(setting);
            }
            command.addAll(java);
        }
        String started = manager.run(command);
        Unit unit = new Unit(manager, name, output, hold);
        if (startDelayMillis == 0) {
            Map<String, String> state = unit.await("active", "did not start: " + started);
            unit.mainPid = state.get("MainPID");
        } else {
            long deadline = System.currentTimeMillis() + WAIT_MILLIS;
            while (manager.show(name).get("MainPID").equals("0") && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            unit.mainPid = manager.show(name).get("MainPID");
        }
        assertTrue(Integer.parseInt(unit.mainPid) > 0, started + manager.show(name));
        return unit;
    }

    /** One unit of ours and its output file. */
    static final class Unit {
        final Manager manager;
        final String name;
        final Path output;
        final Path hold;
        String mainPid;

        Unit(Manager manager, String name, Path output, Path hold) {
            this.manager = manager;
            this.name = name;
            this.output = output;
            this.hold = hold;
        }

        /** {@code systemctl reload}: it must succeed (the failure message has the unit's state and output). */
        void reload() throws Exception {
            String said = manager.systemctl("reload", name).trim();
            if (!said.isEmpty()) {
                fail("systemctl reload: " + said + "\n" + manager.show(name) + "\n" + output());
            }
        }

        String output() throws Exception {
            return Files.exists(output) ? Files.readString(output) : "";
        }

        int reloadCalls(String method) throws Exception {
            Matcher call = Pattern.compile("(?m)^reload \\d+ " + method + " on ").matcher(output());
            int calls = 0;
            while (call.find()) {
                calls++;
            }
            return calls;
        }

        Map<String, String> await(String activeState, String failure) throws Exception {
            long deadline = System.currentTimeMillis() + WAIT_MILLIS;
            Map<String, String> seen = manager.show(name);
            while (!activeState.equals(seen.get("ActiveState")) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
                seen = manager.show(name);
            }
            assertEquals(activeState, seen.get("ActiveState"), failure + ": " + seen + "\n" + output());
            return seen;
        }

        Map<String, String> awaitStatus(String prefix) throws Exception {
            long deadline = System.currentTimeMillis() + WAIT_MILLIS;
            Map<String, String> seen = manager.show(name);
            while (!seen.get("StatusText").startsWith(prefix) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
                seen = manager.show(name);
            }
            assertTrue(seen.get("StatusText").startsWith(prefix), seen + "\n" + output());
            return seen;
        }

        Map<String, String> awaitSubState(String subState) throws Exception {
            long deadline = System.currentTimeMillis() + WAIT_MILLIS;
            Map<String, String> seen = manager.show(name);
            while (!subState.equals(seen.get("SubState")) && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
                seen = manager.show(name);
            }
            return seen;
        }

        void awaitCalls(String method, int calls) throws Exception {
            long deadline = System.currentTimeMillis() + WAIT_MILLIS;
            while (reloadCalls(method) < calls && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(calls, reloadCalls(method), output());
        }

        void awaitOutput(String text) throws Exception {
            long deadline = System.currentTimeMillis() + WAIT_MILLIS;
            while (!output().contains(text) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(output().contains(text), "never printed '" + text + "': " + output());
        }
    }

    /** A systemd user manager: the machine's (`systemctl --user`), or the private systemd 254 one. */
    static final class Manager {
        final List<String> systemctl;
        final List<String> systemdRun;
        final Map<String, String> env;
        /** where tests write unit files; null: they use transient units */
        final Path unitDirectory;

        private Manager(List<String> systemctl, List<String> systemdRun, Map<String, String> env, Path unitDirectory) {
            this.systemctl = systemctl;
            this.systemdRun = systemdRun;
            this.env = env;
            this.unitDirectory = unitDirectory;
        }

        static Manager machine() throws Exception {
            UserManager.require();
            return new Manager(Arrays.asList("systemctl", "--user"), Arrays.asList("systemd-run", "--user"),
                    Collections.singletonMap("XDG_RUNTIME_DIR", UserManager.RUNTIME_DIR),
                    Paths.get(System.getProperty("user.home"), ".config/systemd/user"));
        }

        /**
         * The manager of integration-tests/systemd254.sh: SDAGENT_SYSTEMD254 (what `ensure` prints), else its default
         * home. Missing: a failure in CI (SDAGENT_REQUIRE_SYSTEMD=1), a skip elsewhere.
         */
        static Manager systemd254() throws Exception {
            String home = System.getenv().getOrDefault("SDAGENT_SYSTEMD254", "/var/tmp/sd-agent-systemd254");
            Path bin = Paths.get(home, "bin");
            Manager manager = new Manager(Collections.singletonList(bin.resolve("systemctl").toString()),
                    Collections.singletonList(bin.resolve("systemd-run").toString()), Collections.emptyMap(), null);
            String state;
            try {
                state = Files.isExecutable(bin.resolve("systemctl")) ? manager.systemctl("is-system-running").trim()
                        : "no " + bin.resolve("systemctl");
            } catch (Exception e) {
                state = e.toString();
            }
            if (!Arrays.asList("running", "degraded", "starting").contains(state)) {
                String why = "no systemd 254 user manager (" + state + "); start it with: eval \"export "
                        + "$(bash integration-tests/systemd254.sh ensure)\"";
                if ("1".equals(System.getenv("SDAGENT_REQUIRE_SYSTEMD"))) {
                    fail(why);
                }
                Assumptions.assumeTrue(false, why);
            }
            String version = manager.systemctl("--version").split("\n")[0];
            Matcher number = Pattern.compile("^systemd (\\d+)").matcher(version);
            assertTrue(number.find() && Integer.parseInt(number.group(1)) >= 253, "Type=notify-reload needs 253+: " + version);
            return manager;
        }

        String systemctl(String... args) throws Exception {
            List<String> command = new ArrayList<>(systemctl);
            command.addAll(Arrays.asList(args));
            return run(command);
        }

        Process start(String... args) throws Exception {
            List<String> command = new ArrayList<>(systemctl);
            command.addAll(Arrays.asList(args));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            return builder.start();
        }

        String run(List<String> command) throws Exception {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = process.getInputStream()) {
                in.transferTo(out);
            }
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        Map<String, String> show(String unit) throws Exception {
            Map<String, String> properties = new LinkedHashMap<>();
            String text = systemctl("show", unit, "-p",
                    "ActiveState,SubState,Result,StatusText,StatusErrno,NRestarts,MainPID,ExecMainCode,ExecMainStatus");
            for (String line : text.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    properties.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return properties;
        }

        void cleanUp(String unit) {
            try {
                systemctl("kill", "--signal=SIGKILL", unit);
                systemctl("stop", unit);
                systemctl("reset-failed", unit);
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    /** clock_gettime(CLOCK_MONOTONIC) of this process, through JNA. */
    static final class Clock {
        interface C extends Library {
            int clock_gettime(int clock, Pointer timespec);
        }

        private static final C LIBC = Native.load("c", C.class);

        static long monotonicMicros() {
            Memory ts = new Memory(16);
            if (LIBC.clock_gettime(1, ts) != 0) {
                throw new IllegalStateException("clock_gettime failed");
            }
            return ts.getLong(0) * 1_000_000L + ts.getLong(8) / 1000;
        }
    }
}
