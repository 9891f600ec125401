package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Stopping, failing and restarting, with Jetty 12 as the unmodified app, on JDK 17 and 25. */
class LifecycleIT {
    private static final String JETTY_READY = "ready=" + App.JETTY.readyHook;

    /**
     * A SIGTERM that systemd did not send (no stop job): only the agent's STOPPING=1 can move the
     * unit to deactivating while the app's slow shutdown hook still runs; then a clean exit, 143
     * accounted as success by SuccessExitStatus=143.
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void sigtermSendsStoppingBeforeTheAppsShutdownHooksFinish(Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Unit unit = new Unit("stopping-" + jdk.id())) {
            unit.env("PORT", Integer.toString(port)).env("SAMPLE_STOP_DELAY_MS", "6000");
            unit.startApp(jdk, App.JETTY, JETTY_READY, jdk.strictFlags());
            unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            Net.get(port);

            Systemd.systemctl("kill", "--signal=SIGTERM", unit.name).check();
            Unit.State stopping = unit.await("deactivating", Duration.ofSeconds(15), s -> !s.is("active"));
            // stop-sigterm with the JVM still running (not stop-post, after its exit): systemd took STOPPING=1.
            assertEquals("deactivating/stop-sigterm", stopping.active() + "/" + stopping.sub(), unit::diagnostics);
            assertTrue(stopping.mainPid() > 0, unit::diagnostics);
            // systemd sets no StatusText of its own: a stopping status can only come from the agent.
            Unit.State status = unit.await("stopping status", Duration.ofSeconds(15),
                    s -> s.statusText().toLowerCase().contains("stopping") || !s.is("deactivating"));
            assertTrue(status.statusText().toLowerCase().contains("stopping"), unit::diagnostics);

            unit.await("stopped", Duration.ofSeconds(20), s -> !unit.exitRecord().isEmpty());
            assertEquals("success exited 143", unit.exitRecord(), unit::diagnostics);
        }
    }

    /** Why operators need SuccessExitStatus=143: without it a JVM's normal stop counts as a failure. */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void withoutSuccessExitStatus143AStopIsAFailure(Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Unit unit = new Unit("exit143-" + jdk.id())) {
            unit.property("SuccessExitStatus", null).env("PORT", Integer.toString(port));
            unit.startApp(jdk, App.JDK_HTTPSERVER, "ready=" + App.JDK_HTTPSERVER.readyHook, jdk.strictFlags());
            unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            Systemd.systemctl("stop", unit.name);
            Unit.State stopped = unit.show();
            assertEquals("exit-code exited 143", unit.exitRecord(), unit::diagnostics);
            assertEquals("failed", stopped.active(), unit::diagnostics);
            assertEquals("143", stopped.get("ExecMainStatus"), unit::diagnostics);
        }
    }

    static Stream<Arguments> failingStarts() {
        List<Arguments> all = new ArrayList<>();
        for (Jdk jdk : Jdk.values()) {
            for (App app : List.of(App.JETTY, App.NETTY, App.VERTX)) {
                all.add(Arguments.of(app, jdk));
            }
        }
        return all.stream();
    }

    /**
     * The app's port is taken, so its start fails: Jetty's Server#start throws, Netty's bind future and
     * Vert.x's listen future fail. No READY, the unit fails, and its StatusText still says why.
     */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("failingStarts")
    void failedStartFailsTheUnitWithTheReason(App app, Jdk jdk) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Unit unit = new Unit("startfails-" + app.dir + "-" + jdk.id())) {
            unit.env("PORT", Integer.toString(taken.getLocalPort()));
            unit.startApp(jdk, app, "ready=" + app.readyHook, jdk.strictFlags());
            Unit.State failed = unit.await("failed", Unit.START_TIMEOUT, s -> s.is("failed") || s.is("active"));
            assertEquals("failed", failed.active(), unit::diagnostics);
            assertStartupFailedStatus(unit, failed);
            assertFalse(unit.sawActiveState("active"), unit::diagnostics);
        }
    }

    /** The same failure under Restart=on-failure: systemd counts the restarts, and once the port is free the app comes up. */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void restartOnFailureCountsRestartsThenRecovers(Jdk jdk) throws Exception {
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        int port = taken.getLocalPort();
        try (taken; Unit unit = new Unit("restart-" + jdk.id())) {
            unit.property("Restart", "on-failure").property("RestartSec", "1").property("StartLimitIntervalSec", "0");
            unit.env("PORT", Integer.toString(port));
            unit.startApp(jdk, App.JETTY, JETTY_READY, jdk.strictFlags());
            Unit.State restarted = unit.await("2 restarts", Unit.START_TIMEOUT, s -> s.restarts() >= 2);
            assertFalse(unit.sawActiveState("active"), unit::diagnostics);

            taken.close();
            Unit.State active = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active"));
            assertTrue(active.restarts() >= restarted.restarts(), unit::diagnostics);
            assertTrue(Net.get(port).startsWith(App.JETTY.greeting()));
            Expect.readyStatus(unit, active, App.JETTY.readyHook);
        }
    }

    /** A typo in the hook: one line on stderr with the close match, no READY, the app itself runs on. */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void misspelledHookSaysDidYouMean(Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Unit unit = new Unit("typo-" + jdk.id())) {
            unit.property("TimeoutStartSec", "infinity").env("PORT", Integer.toString(port));
            unit.startApp(jdk, App.JETTY, "ready=org.eclipse.jetty.server.Server#strat", jdk.strictFlags());
            unit.await("serving", Unit.START_TIMEOUT, s -> Net.serves(port) || !s.is("activating"));
            assertTrue(Net.get(port).startsWith(App.JETTY.greeting()), "the app must run on without the hook");
            String line = unit.stderr().lines().filter(l -> l.contains("did you mean")).findFirst().orElse("");
            assertTrue(line.contains("strat") && line.contains("start"), () -> "no did-you-mean line\n" + unit.diagnostics());
            assertEquals("activating", unit.show().active(), unit::diagnostics);
        }
    }

    /** A misspelled option key: one line naming it and what is valid; the app runs, without the agent's hooks. */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void unknownOptionIsOneLineAndTheAppRunsOn(Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Unit unit = new Unit("badoption-" + jdk.id())) {
            unit.property("TimeoutStartSec", "infinity").env("PORT", Integer.toString(port));
            unit.startApp(jdk, App.JETTY, JETTY_READY + ",watchdgo=off", jdk.strictFlags());
            unit.await("serving", Unit.START_TIMEOUT, s -> Net.serves(port) || !s.is("activating"));
            assertTrue(Net.get(port).startsWith(App.JETTY.greeting()), "the app must run on");
            List<String> agentLines = unit.stderr().lines().filter(l -> l.contains("sd-agent")).toList();
            assertEquals(1, agentLines.size(), () -> "expected one line from the agent\n" + unit.diagnostics());
            assertTrue(agentLines.get(0).contains("watchdgo"), () -> "the line does not name the key: " + agentLines);
            assertEquals("activating", unit.show().active(), () -> "no hooks, so never READY\n" + unit.diagnostics());
        }
    }

    private static void assertStartupFailedStatus(Unit unit, Unit.State state) {
        String status = state.statusText();
        // "Startup failed: ..." while the JVM lives; its shutdown notice keeps the reason for the failed unit.
        assertTrue(status.matches("(Startup failed|Stopping after failed startup): .*") && status.toLowerCase().contains("bind"),
                () -> "StatusText \"" + status + "\" does not report the bind failure\n" + unit.diagnostics());
        assertFalse(status.contains("\n"));
    }
}
