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

    @Test
    void typeNotifyGoesActiveOnReadyAndShowsItsStatus() throws Exception {
        String unit = unitName("ready");
        try {
            Processes.Result started = Processes.run(systemdRun(unit, List.of(),
                    Processes.javaMain("ready", "Serving from core")), UserManager.environment(), START);
            assertEquals(0, started.exitCode(), started.output());
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
            long startedAt = System.nanoTime();
            Processes.Result started = Processes.run(systemdRun(unit, List.of("WatchdogSec=2", "WatchdogSignal=SIGKILL"),
                    Processes.javaMain("watchdog", "5000")), UserManager.environment(), START);
            assertEquals(0, started.exitCode(), started.output());
            Thread.sleep(Math.max(0, 3500 - (System.nanoTime() - startedAt) / 1_000_000));
            // Past WatchdogSec=2 and still alive: the pings work.
            Map<String, String> alive = UserManager.show(unit, "ActiveState", "StatusText", "Result");
            assertEquals("active", alive.get("ActiveState"), alive.toString());
            assertEquals("watchdog usec=2000000, pinging", alive.get("StatusText"), alive.toString());
            // Pings stop about 5 s after start; systemd must kill it within WatchdogSec after that
            // (SIGKILL rather than the default SIGABRT, so the JVM leaves no crash files behind).
            Map<String, String> dead = UserManager.awaitShow(unit, Duration.ofSeconds(20),
                    v -> "watchdog".equals(v.get("Result")) && "failed".equals(v.get("ActiveState")),
                    "ActiveState", "Result", "StatusText");
            assertEquals("watchdog", dead.get("Result"), dead.toString());
            assertEquals("failed", dead.get("ActiveState"), dead.toString());
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
