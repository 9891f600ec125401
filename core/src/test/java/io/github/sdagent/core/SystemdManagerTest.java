package io.github.sdagent.core;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ServiceMain} under the real systemd user manager: Type=notify readiness and status, the watchdog
 * killing a service that stops pinging, and a .socket unit handing its socket over. Units are named
 * sdagent-core-* and always cleaned up.
 */
class SystemdManagerTest {
    private static final Duration START = Duration.ofSeconds(60);

    @BeforeEach
    void requireUserManager() throws Exception {
        UserManager.require();
    }

    private static String unitName(String what) {
        return "sdagent-core-" + what + "-" + ProcessHandle.current().pid() + "-"
                + ThreadLocalRandom.current().nextInt(100_000);
    }

    private static List<String> systemdRun(String unit, List<String> properties, List<String> command) {
        List<String> run = new ArrayList<>(List.of("systemd-run", "--user", "--unit=" + unit, "-p", "Type=notify",
                "-p", "TimeoutStartSec=60"));
        for (String p : properties) {
            run.add("-p");
            run.add(p);
        }
        run.addAll(command);
        return run;
    }

    /** systemd-run with Type=notify returns once READY=1 arrived; a failure to start fails the test. */
    private static void start(String unit, List<String> properties, String... mainArgs) throws Exception {
        Processes.Result started = Processes.run(systemdRun(unit, properties, Processes.javaMain(mainArgs)),
                UserManager.environment(), START);
        assertEquals(0, started.exitCode(), started.output());
    }

    @Test
    void typeNotifyGoesActiveOnReadyAndShowsItsStatus() throws Exception {
        String unit = unitName("ready");
        try {
            start(unit, List.of(), "ready", "Serving from core");
            // systemd-run returns once systemd accepted READY=1; the barrier's result follows in STATUS.
            Map<String, String> state = UserManager.awaitShow(unit, Duration.ofSeconds(20),
                    v -> v.getOrDefault("StatusText", "").contains("barrier"),
                    "ActiveState", "SubState", "StatusText", "MainPID");
            assertEquals("active", state.get("ActiveState"), state.toString());
            assertEquals("running", state.get("SubState"), state.toString());
            assertEquals("Serving from core; barrier passed=true", state.get("StatusText"), state.toString());
        } finally {
            UserManager.cleanup(unit);
        }
    }

    @Test
    void watchdogKillsTheServiceOnceItStopsPinging() throws Exception {
        String unit = unitName("watchdog");
        try {
            start(unit, List.of("WatchdogSec=2", "WatchdogSignal=SIGKILL"), "watchdog", "8000");
            // READY has arrived; the service pings for 8 s from then. Two whole WatchdogSec periods later it
            // must still be alive: the pings work.
            Thread.sleep(4000);
            Map<String, String> alive = UserManager.show(unit, "ActiveState", "StatusText", "Result");
            assertEquals("active", alive.get("ActiveState"), alive.toString());
            assertEquals("watchdog usec=2000000, pinging", alive.get("StatusText"), alive.toString());
            // Once the pings stop, systemd must kill it within WatchdogSec (SIGKILL rather than the default
            // SIGABRT, so the JVM leaves no crash files behind).
            Map<String, String> dead = UserManager.awaitShow(unit, Duration.ofSeconds(30),
                    v -> "watchdog".equals(v.get("Result")) && "failed".equals(v.get("ActiveState")),
                    "ActiveState", "Result", "StatusText");
            assertEquals("watchdog", dead.get("Result"), dead.toString());
            assertEquals("failed", dead.get("ActiveState"), dead.toString());
            assertEquals("watchdog usec=2000000, stopped pinging", dead.get("StatusText"), dead.toString());
        } finally {
            UserManager.cleanup(unit);
        }
    }

    @Test
    void fdStoreHandsADescriptorToSystemd() throws Exception {
        String unit = unitName("fdstore");
        try {
            start(unit, List.of("FileDescriptorStoreMax=4"), "fdstore");
            Map<String, String> state = UserManager.awaitShow(unit, Duration.ofSeconds(20),
                    v -> "1".equals(v.get("NFileDescriptorStore")), "NFileDescriptorStore", "StatusText");
            assertEquals("1", state.get("NFileDescriptorStore"), state.toString());
            assertEquals("stored=true", state.get("StatusText"), state.toString());
        } finally {
            UserManager.cleanup(unit);
        }
    }

    @Test
    void thePystemdExampleInJavaRunsAsATypeNotifyService() throws Exception {
        String unit = unitName("example");
        List<String> command = new ArrayList<>(List.of("systemd-run", "--user", "--wait", "--unit=" + unit,
                "-p", "Type=notify", "-p", "TimeoutStartSec=60"));
        command.addAll(Processes.javaMain("example"));
        try {
            java.util.concurrent.CompletableFuture<Processes.Result> run =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return Processes.run(command, UserManager.environment(), START);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
            java.util.Set<String> seen = new java.util.LinkedHashSet<>();
            while (!run.isDone()) {
                Map<String, String> v = UserManager.show(unit, "ActiveState", "StatusText");
                if ("active".equals(v.get("ActiveState"))) {
                    seen.add(v.get("StatusText"));
                }
                Thread.sleep(50);
            }
            Processes.Result result = run.get();
            assertEquals(0, result.exitCode(), result.output());
            assertTrue(result.output().contains("Finished with result: success"), result.output());
            assertTrue(seen.stream().anyMatch(s -> s.startsWith("Complete: ") || s.equals("starting to do some work")),
                    "statuses seen while active: " + seen);
        } finally {
            UserManager.cleanup(unit);
        }
    }

    @Test
    void socketUnitHandsItsSocketToListenFds() throws Exception {
        String name = unitName("socket");
        Path dir = Paths.get(System.getProperty("user.home"), ".config", "systemd", "user");
        Path socketUnit = dir.resolve(name + ".socket");
        Path serviceUnit = dir.resolve(name + ".service");
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(socketUnit, "[Socket]\nListenStream=127.0.0.1:" + port + "\nFileDescriptorName=web\n");
            Files.writeString(serviceUnit, "[Service]\nType=notify\nExecStart="
                    + String.join(" ", Processes.javaMain("socket")) + "\n");
            assertEquals(0, UserManager.systemctl("daemon-reload").exitCode());
            Processes.Result started = UserManager.systemctl("start", name + ".socket");
            assertEquals(0, started.exitCode(), started.output());
            String reply;
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                client.setSoTimeout(60_000);
                reply = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
            }
            assertEquals("fds=1 names=[web] cloexec-before=0 cloexec-after=1 after-unset=0,[]", reply);
        } finally {
            UserManager.cleanup(name + ".socket");
            UserManager.cleanup(name + ".service");
            Files.deleteIfExists(socketUnit);
            Files.deleteIfExists(serviceUnit);
            UserManager.systemctl("daemon-reload");
        }
    }
}
