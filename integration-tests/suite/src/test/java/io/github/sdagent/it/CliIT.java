package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The operator's command line ({@code java -jar sd-agent.jar unit|drop-in|check}), run as an operator would, on
 * each JDK: units it writes pass {@code systemd-analyze verify} and go active on READY=1 under the user manager
 * (with and without {@code --listen}); a drop-in turns a plain unit into a notify service; {@code check} judges
 * a good app, one never ready, one that stops pinging, one that ignores SIGTERM and a script that forks java.
 * Units are named sdt-cli-* and installed into the user manager's runtime directory (gone at its end).
 */
class CliIT {
    private static final App APP = App.JDK_HTTPSERVER;

    // ---------------------------------------------------------------- unit

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void generatedUnitVerifiesAndGoesActiveOnReady(Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Installed unit = new Installed("unit-" + jdk.id())) {
            Path env = unit.environmentFile("PORT=" + port);
            List<String> args = new ArrayList<>(List.of("unit", "--user", "--name=" + unit.name, "--watchdog=4s",
                    "--environment-file=" + env, "--working-directory=" + APP.jar().getParent(),
                    "--agent=ready=" + APP.readyHook, "--output-dir=" + unit.dir, "--"));
            args.addAll(javaCommand(jdk));
            Systemd.Result generated = cli(jdk, args, Map.of(), 60);
            assertEquals(0, generated.status, generated.output);
            assertEquals("wrote " + unit.dir.resolve(unit.name + ".service") + "\n", generated.output);
            String text = Files.readString(unit.dir.resolve(unit.name + ".service"));
            assertTrue(text.contains("\nType=notify\n") && text.contains("\nSuccessExitStatus=143\n"), text);
            unit.verify(unit.name + ".service");

            unit.reload();
            unit.systemctl("start", "--no-block", unit.name + ".service");
            Map<String, String> state = unit.await(unit.name + ".service", s -> !s.get("ActiveState").equals("activating"));
            assertEquals("active", state.get("ActiveState"), unit.diagnostics());
            assertTrue(state.get("StatusText").startsWith("Ready in "), state.toString());
            assertTrue(Net.get(port).startsWith(APP.greeting()));
            Thread.sleep(5000); // beyond WatchdogSec=4s: the agent's pings keep it up
            assertEquals("active", unit.show(unit.name + ".service").get("ActiveState"), unit.diagnostics());
            unit.systemctl("stop", unit.name + ".service");
            Map<String, String> stopped = unit.show(unit.name + ".service");
            assertEquals("success", stopped.get("Result"), "SuccessExitStatus=143 makes SIGTERM's exit clean: " + stopped);
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void generatedSocketUnitStartsTheServiceOnTheFirstConnection(Jdk jdk) throws Exception {
        int port = Net.freePort();
        int listenPort = Net.freePort();
        try (Installed unit = new Installed("listen-" + jdk.id())) {
            Path env = unit.environmentFile("PORT=" + port);
            List<String> args = new ArrayList<>(List.of("unit", "--user", "--name=" + unit.name,
                    "--listen=127.0.0.1:" + listenPort, "--environment-file=" + env,
                    "--working-directory=" + APP.jar().getParent(), "--agent=ready=" + APP.readyHook,
                    "--output-dir=" + unit.dir, "--"));
            args.addAll(javaCommand(jdk));
            Systemd.Result generated = cli(jdk, args, Map.of(), 60);
            assertEquals(0, generated.status, generated.output);
            unit.verify(unit.name + ".service");
            unit.verify(unit.name + ".socket");

            unit.reload();
            unit.systemctl("start", unit.name + ".socket").check();
            assertEquals("inactive", unit.show(unit.name + ".service").get("ActiveState"), "nothing started the service yet");
            try (Socket connection = new Socket("127.0.0.1", listenPort)) {
                // The connection activates the service: systemd passes the listening socket (LISTEN_FDS).
                Map<String, String> state = unit.await(unit.name + ".service", s -> !s.get("ActiveState").equals("activating")
                        && !s.get("ActiveState").equals("inactive"));
                assertEquals("active", state.get("ActiveState"), unit.diagnostics());
                assertTrue(state.get("StatusText").startsWith("Ready in "), state.toString());
            }
            assertTrue(Net.get(port).startsWith(APP.greeting()));
        }
    }

    /**
     * The escaping against systemd itself: the unit's program writes the arguments it received, one per line,
     * and they are exactly those given to {@code unit} ({@code $}, {@code %}, quotes, spaces, a lone {@code ;}).
     * The JVM running the CLI does not matter here, so JDK 17 only.
     */
    @org.junit.jupiter.api.Test
    void execStartReachesTheProgramExactlyAsGiven() throws Exception {
        List<String> tricky = List.of("a b", "$HOME", "${USER}", "100%", "%h", "x\"y", "it's", "back\\slash", "tab\there", ";", "");
        try (Installed unit = new Installed("escape")) {
            Path out = unit.log();
            List<String> args = new ArrayList<>(List.of("unit", "--user", "--name=" + unit.name, "--start-timeout=20s",
                    "--output-dir=" + unit.dir, "--", "/bin/sh", "-c", "printf '%s\\n' \"$@\" > \"$0\"", out.toString()));
            args.addAll(tricky);
            Systemd.Result generated = cli(Jdk.JDK17, args, Map.of(), 60);
            assertEquals(0, generated.status, generated.output);
            unit.verify(unit.name + ".service");
            unit.reload();
            // Blocking start: the job ends when the script has written and exited without READY=1 (systemd then fails
            // the unit; only its output matters). With --no-block the unit still looked inactive before the job ran.
            unit.systemctl("start", unit.name + ".service");
            unit.await(unit.name + ".service", s -> s.get("ActiveState").equals("failed") || s.get("ActiveState").equals("inactive"));
            assertEquals(tricky, Files.readAllLines(out), Files.readString(unit.dir.resolve(unit.name + ".service")));
        }
    }

    /** Every shape of unit the options can produce is accepted by systemd-analyze verify, without a warning. */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void everyVariantOfGeneratedUnitVerifies(Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("sdt-cli-verify");
        Path script = dir.resolve("start.sh");
        Files.writeString(script, "#!/bin/sh\njava -jar app.jar\n");
        script.toFile().setExecutable(true);
        Path env = dir.resolve("app.env");
        Files.writeString(env, "PORT=8080\n");
        List<List<String>> variants = List.of(
                List.of("--name=sdt-cli-v-system", "--run-as=daemon", "--hardening", "--environment-file=" + env,
                        "--agent=ready=a.B$C#start:int,watchdog-interval=10s", "--description=100% Java"),
                List.of("--name=sdt-cli-v-user", "--user", "--hardening", "--watchdog=off", "--start-timeout=off"),
                List.of("--name=sdt-cli-v-listen", "--listen=8080", "--listen=127.0.0.1:8443", "--listen=[::1]:9090"),
                List.of("--name=sdt-cli-v-script", "--agent=ready=a.B#start", "--", script.toString(), "run"));
        try {
            for (List<String> variant : variants) {
                boolean user = variant.contains("--user");
                List<String> args = new ArrayList<>(List.of("unit", "--output-dir=" + dir, "--working-directory=" + dir));
                args.addAll(variant);
                if (!variant.contains("--")) {
                    args.add("--");
                    args.addAll(List.of(jdk.java().toString(), "-Dgreeting=hello world", "-Dprice=5$", "-Dload=90%", "-jar", "app.jar"));
                }
                Systemd.Result generated = cli(jdk, args, Map.of(), 60);
                assertEquals(0, generated.status, generated.output);
                for (String line : generated.output.strip().split("\n")) {
                    Path file = Path.of(line.substring("wrote ".length()));
                    List<String> verify = new ArrayList<>(List.of("systemd-analyze"));
                    if (user) {
                        verify.add("--user");
                    }
                    verify.addAll(List.of("verify", file.toString()));
                    Systemd.Result verified = Systemd.run(verify);
                    assertEquals(0, verified.status, verified.output);
                    assertEquals("", verified.output.strip(), "systemd-analyze verify complained about\n" + Files.readString(file));
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    // ---------------------------------------------------------------- drop-in

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void dropInTurnsAPlainUnitIntoANotifyServiceActiveOnReady(Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Installed unit = new Installed("dropin-" + jdk.id())) {
            // The vendor's unit: Type=simple, a script that forks java (no exec), its own JAVA_TOOL_OPTIONS.
            Files.writeString(unit.dir.resolve(unit.name + ".service"), String.join("\n",
                    "[Unit]",
                    "Description=a vendor's unit",
                    "[Service]",
                    "Type=simple",
                    "Environment=PORT=" + port + " \"JAVA_TOOL_OPTIONS=-Dvendor.flag=on -Dvendor.name=x\"",
                    "StandardOutput=append:" + unit.log(),
                    "StandardError=append:" + unit.log(),
                    "ExecStart=/bin/sh -c '" + String.join(" ", javaCommand(jdk)) + "; echo the JVM ended'",
                    "SuccessExitStatus=143",
                    ""));
            unit.reload();
            unit.systemctl("start", unit.name + ".service").check();
            assertEquals("simple", unit.show(unit.name + ".service").get("Type"));

            Systemd.Result generated = cli(jdk, List.of("drop-in", "--user", "--watchdog=4s",
                    "--agent=ready=" + APP.readyHook, unit.name), Map.of(), 60);
            assertEquals(0, generated.status, generated.output);
            assertTrue(generated.output.contains("\nNotifyAccess=all\n"), generated.output);
            assertTrue(generated.output.contains("\"JAVA_TOOL_OPTIONS=-Dvendor.flag=on -Dvendor.name=x -javaagent:"), generated.output);
            Path dropInDir = Files.createDirectories(unit.dir.resolve(unit.name + ".service.d"));
            Files.writeString(dropInDir.resolve("sd-agent.conf"), generated.output);
            unit.verify(unit.name + ".service");

            unit.reload();
            unit.systemctl("restart", "--no-block", unit.name + ".service");
            // active or failed: between the old process's end and the new start the restart job shows "inactive"
            // for a moment (a CI run saw it 0.57 s after --no-block)
            Map<String, String> state = unit.await(unit.name + ".service", s -> s.get("Type").equals("notify")
                    && (s.get("ActiveState").equals("active") || s.get("ActiveState").equals("failed")));
            assertEquals("notify", state.get("Type"));
            assertEquals("active", state.get("ActiveState"), unit.diagnostics());
            assertTrue(state.get("StatusText").startsWith("Ready in "), state.toString());
            assertTrue(Net.get(port).startsWith(APP.greeting()));
            Thread.sleep(5000); // beyond WatchdogSec=4s
            assertEquals("active", unit.show(unit.name + ".service").get("ActiveState"), unit.diagnostics());
        }
    }

    // ---------------------------------------------------------------- check

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void checkPassesAGoodApp(Jdk jdk) throws Exception {
        List<String> args = new ArrayList<>(List.of("check", "--watchdog=4s", "--stop-after=5s", "--"));
        args.addAll(javaCommand(jdk, "ready=" + APP.readyHook));
        Systemd.Result check = cli(jdk, args, Map.of("PORT", Integer.toString(Net.freePort())), 180);
        assertEquals(0, check.status, check.output);
        assertTrue(check.output.matches("(?s).*\ncheck: \\+\\d+\\.\\d+s READY=1 STATUS=Ready in .*"), check.output);
        assertTrue(check.output.matches("(?s).*\ncheck: \\+\\d+\\.\\d+s WATCHDOG=1\n.*"), check.output);
        assertTrue(check.output.matches("(?s).*\ncheck: OK: READY=1 after \\d+\\.\\d+s, \\d+ watchdog pings, STOPPING=1, exit status 143\n.*"),
                check.output);
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void checkFailsAnAppThatNeverBecomesReady(Jdk jdk) throws Exception {
        List<String> args = new ArrayList<>(List.of("check", "--timeout=6s", "--"));
        args.addAll(javaCommand(jdk, "ready=org.example.NeverLoaded#start"));
        Systemd.Result check = cli(jdk, args, Map.of("PORT", Integer.toString(Net.freePort())), 180);
        assertEquals(1, check.status, check.output);
        assertTrue(check.output.contains("\ncheck: FAILED: no READY=1 within "), check.output);
        assertTrue(check.output.contains("(Result=timeout)"), check.output);
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void checkFailsAnAppThatStopsPinging(Jdk jdk) throws Exception {
        List<String> args = new ArrayList<>(List.of("check", "--watchdog=3s", "--stop-after=20s", "--"));
        args.addAll(javaCommand(jdk, "ready=" + APP.readyHook + ",watchdog=off"));
        Systemd.Result check = cli(jdk, args, Map.of("PORT", Integer.toString(Net.freePort())), 180);
        assertEquals(1, check.status, check.output);
        assertTrue(check.output.contains("\ncheck: FAILED: no WATCHDOG=1 for "), check.output);
        assertTrue(check.output.contains("(Result=watchdog)"), check.output);
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void checkFailsAnAppThatIgnoresSigterm(Jdk jdk) throws Exception {
        // SIGTERM ignored when the JVM starts: the JVM leaves it ignored (as for nohup), like an app that masks it.
        List<String> args = new ArrayList<>(List.of("check", "--stop-after=2s", "--stop-timeout=5s", "--",
                "/bin/sh", "-c", "trap '' TERM; exec \"$@\"", "sh"));
        args.addAll(javaCommand(jdk, "ready=" + APP.readyHook));
        Systemd.Result check = cli(jdk, args, Map.of("PORT", Integer.toString(Net.freePort())), 180);
        assertEquals(1, check.status, check.output);
        assertTrue(check.output.contains("\ncheck: FAILED: did not stop within 5.000s of SIGTERM (--stop-timeout): killed with SIGKILL"),
                check.output);
        assertTrue(check.output.contains("exit status 137)"), check.output);
    }

    /** A start that takes longer than --timeout passes when the app extends it, as systemd allows; and fails without. */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void checkHonoursExtendTimeoutUsec(Jdk jdk) throws Exception {
        for (boolean extend : new boolean[] {true, false}) {
            List<String> args = new ArrayList<>(List.of("check", "--timeout=4s", "--stop-after=1s", "--", "/bin/sh", "-c",
                    (extend ? "\"$0\" -jar \"$1\" notify EXTEND_TIMEOUT_USEC=20000000; " : "")
                            + "sleep 6; shift; exec \"$@\"",
                    jdk.java().toString(), Suite.agentJar().toString()));
            args.addAll(javaCommand(jdk, "ready=" + APP.readyHook));
            Systemd.Result check = cli(jdk, args, Map.of("PORT", Integer.toString(Net.freePort())), 180);
            if (extend) {
                assertEquals(0, check.status, check.output);
                assertTrue(check.output.matches("(?s).*\ncheck: \\+\\d+\\.\\d+s EXTEND_TIMEOUT_USEC=20000000 \\(from pid \\d+\\)\n.*"),
                        check.output);
            } else {
                assertEquals(1, check.status, check.output);
                assertTrue(check.output.contains("\ncheck: FAILED: no READY=1 within "), check.output);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void checkSaysWhenReadyComesFromAForkedJvm(Jdk jdk) throws Exception {
        List<String> args = new ArrayList<>(List.of("check", "--stop-after=2s", "--json", "--",
                "/bin/sh", "-c", "\"$@\"; echo the JVM ended", "sh"));
        args.addAll(javaCommand(jdk, "ready=" + APP.readyHook));
        Systemd.Result check = cli(jdk, args, Map.of("PORT", Integer.toString(Net.freePort())), 180);
        assertEquals(1, check.status, check.output);
        String verdict = check.output.lines().filter(l -> l.startsWith("{\"event\":\"verdict\"")).findFirst().orElse("");
        assertTrue(verdict.contains("\"ok\":false") && verdict.contains("READY=1 came from pid ")
                && verdict.contains("Use NotifyAccess=all in the unit") && verdict.contains("'exec java ...'"), check.output);
        long mainPid = Long.parseLong(verdict.replaceAll(".*\"main_pid\":(\\d+).*", "$1"));
        long readyPid = Long.parseLong(verdict.replaceAll(".*\"ready_pid\":(\\d+).*", "$1"));
        assertTrue(readyPid != mainPid && readyPid > 0, verdict);
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void checkPassesAListeningSocketAsSystemdDoes(Jdk jdk) throws Exception {
        int listenPort = Net.freePort();
        List<String> command = new ArrayList<>(List.of(jdk.java().toString(), "-jar", Suite.agentJar().toString(),
                "check", "--listen=127.0.0.1:" + listenPort, "--stop-after=8s", "--",
                "/bin/sh", "-c", "[ \"$LISTEN_PID\" = $$ ] && [ \"$LISTEN_FDS\" = 1 ] && readlink /proc/$$/fd/3"
                        + " | grep -q '^socket:' && echo 'fd 3 is the socket'; exec \"$@\"", "sh"));
        command.addAll(javaCommand(jdk, "ready=" + APP.readyHook));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PORT", Integer.toString(Net.freePort()));
        Process check = builder.start();
        check.getOutputStream().close();
        // check closed its own copy after the start: a connection that succeeds reaches the application's socket.
        boolean connected = false;
        for (int i = 0; i < 240 && !connected && check.isAlive(); i++) {
            try (Socket connection = new Socket("127.0.0.1", listenPort)) {
                connected = true;
            } catch (IOException notYet) {
                Thread.sleep(250);
            }
        }
        String output = new String(check.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(check.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, check.exitValue(), output);
        assertTrue(connected, "nothing listened on " + listenPort + "\n" + output);
        assertTrue(output.contains("\nfd 3 is the socket\n") || output.startsWith("fd 3 is the socket\n"), output);
        assertTrue(output.contains(" (LISTEN_FDS=1: 127.0.0.1:" + listenPort + ")\n"), output);
    }

    // ---------------------------------------------------------------- helpers

    /** The app's java command line on {@code jdk}, with the agent when {@code agentOptions} are given. */
    private static List<String> javaCommand(Jdk jdk, String... agentOptions) {
        List<String> command = new ArrayList<>();
        command.add(jdk.java().toString());
        command.addAll(jdk.strictFlags());
        if (agentOptions.length > 0) {
            command.add("-javaagent:" + Suite.agentJar() + "=" + agentOptions[0]);
        }
        command.add("-jar");
        command.add(APP.jar().toString());
        return command;
    }

    /** {@code java -jar sd-agent.jar ARGS} on {@code jdk}: exit status and stdout+stderr. */
    private static Systemd.Result cli(Jdk jdk, List<String> args, Map<String, String> env, long timeoutSeconds) {
        Systemd.require();
        List<String> command = new ArrayList<>(List.of(jdk.java().toString(), "-jar", Suite.agentJar().toString()));
        command.addAll(args);
        Map<String, String> environment = new LinkedHashMap<>(env);
        environment.put("XDG_RUNTIME_DIR", Systemd.runtimeDir());
        return Systemd.Result.of(command, environment, timeoutSeconds);
    }

    /** Unit files under the user manager's runtime unit directory, removed (and the units stopped) on close. */
    private static final class Installed implements AutoCloseable {
        final String name;
        final Path dir;
        private final List<Path> files = new ArrayList<>();

        Installed(String scenario) throws IOException {
            Systemd.require();
            name = "sdt-cli-" + scenario + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
            dir = Files.createDirectories(Path.of(Systemd.runtimeDir(), "systemd", "user"));
        }

        Path environmentFile(String... lines) throws IOException {
            Path file = Files.createTempFile(name, ".env");
            files.add(file);
            Files.writeString(file, String.join("\n", lines) + "\n");
            return file;
        }

        Systemd.Result systemctl(String... args) {
            return Systemd.systemctl(args);
        }

        void reload() {
            Systemd.systemctl("daemon-reload").check();
        }

        /** systemd-analyze verify accepts the unit without a single complaint (it exits 0 even after warnings). */
        void verify(String unit) {
            Systemd.Result verify = Systemd.run(List.of("systemd-analyze", "--user", "verify", dir.resolve(unit).toString()));
            assertEquals(0, verify.status, verify.output);
            assertEquals("", verify.output.strip(), "systemd-analyze verify " + unit + " complained");
        }

        Map<String, String> show(String unit) {
            Map<String, String> values = new LinkedHashMap<>();
            String output = Systemd.systemctl("show", unit, "-p", "ActiveState,SubState,Result,StatusText,Type,MainPID").output;
            for (String line : output.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    values.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return values;
        }

        /** Polls until {@code done}; returns the last state (the caller asserts on it). */
        Map<String, String> await(String unit, Predicate<Map<String, String>> done) throws InterruptedException {
            long deadline = System.nanoTime() + Unit.START_TIMEOUT.toNanos();
            Map<String, String> state = show(unit);
            while (!done.test(state) && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(250);
                state = show(unit);
            }
            return state;
        }

        /** Where a test's own unit writes its output (the journal may not run here). */
        Path log() throws IOException {
            Files.createDirectories(Suite.logsDir());
            return Suite.logsDir().resolve(name + ".log");
        }

        String diagnostics() {
            String log;
            try {
                log = Files.exists(log()) ? Files.readString(log()) : "(no log file)";
            } catch (IOException e) {
                log = e.toString();
            }
            return Systemd.systemctl("status", "--no-pager", "-l", name + ".service").output + "\n--- output:\n" + log;
        }

        @Override
        public void close() throws IOException {
            for (String suffix : new String[] {".socket", ".service"}) {
                Systemd.systemctl("stop", name + suffix);
                Systemd.systemctl("kill", "--signal=KILL", name + suffix);
                Systemd.systemctl("reset-failed", name + suffix);
            }
            for (String file : new String[] {name + ".service", name + ".socket", name + ".service.d/sd-agent.conf", name + ".service.d"}) {
                Files.deleteIfExists(dir.resolve(file));
            }
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
            Systemd.systemctl("daemon-reload");
        }
    }
}
