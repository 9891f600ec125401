package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * No connection refused across restarts: with a {@code .socket} unit the kernel keeps the listening socket (systemd
 * holds it, the agent hands it to each new JVM), so connections made while {@code systemctl --user restart} runs
 * wait in its queue and are served by the next JVM. A bounded loopback load runs through several restarts; the
 * counts are printed. The control: the same app binding its own socket (no .socket unit) refuses connections
 * while it restarts, so this test can tell the two apart.
 */
class NoRefusedConnectionIT {

    static final int RESTARTS = 3;
    /** Long enough for a JVM start on a loaded two-core machine: a queued connection waits for it. */
    static final int REQUEST_TIMEOUT_MS = 60_000;
    static final long MAX_REQUESTS = 200_000;

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void restartsRefuseNoConnectionWithASocketUnit(Jdk jdk) throws Exception {
        App app = App.JDK_HTTPSERVER;
        int port = Net.freePort();
        try (ActivatedUnit unit = new ActivatedUnit("restart-" + jdk.id())) {
            unit.socket("ListenStream=127.0.0.1:" + port).env("PORT", Integer.toString(port))
                    .workingDirectory(app.jar().getParent())
                    .listen(ActivatedUnit.appCommand(jdk, app, "ready=" + app.readyHook, jdk.strictFlags()));
            SocketActivationIT.httpGet(port, SocketActivationIT.FIRST_REQUEST_TIMEOUT);
            unit.awaitActive(Unit.START_TIMEOUT);
            LoopbackLoad load = new LoopbackLoad(port, 2, REQUEST_TIMEOUT_MS, MAX_REQUESTS, app.greeting());
            try (load) {
                restart(unit, port);
            }
            String report = "socket unit, " + RESTARTS + " restarts on " + jdk + ": " + load.report();
            System.out.println(report);
            assertTrue(load.ok.get() > 0, report);
            assertEquals(0, load.refused.get(), () -> report + "\n" + unit.diagnostics());
            assertEquals(0, load.timedOut.get(), () -> report + "\n" + unit.diagnostics());
        }
    }

    /**
     * FDSTORE without a .socket unit: the first JVM binds its own socket and the agent ({@code fdstore=on}) hands it
     * to systemd's file descriptor store; each restarted JVM gets it back in LISTEN_FDS and its bind adopts it.
     */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void restartsRefuseNoConnectionWithTheFdStore(Jdk jdk) throws Exception {
        App app = App.JDK_HTTPSERVER;
        int port = Net.freePort();
        try (ActivatedUnit unit = new ActivatedUnit("fdstore-" + jdk.id())) {
            unit.property("FileDescriptorStoreMax", "4").env("PORT", Integer.toString(port))
                    .workingDirectory(app.jar().getParent())
                    .listen(ActivatedUnit.appCommand(jdk, app, "fdstore=on,ready=" + app.readyHook, jdk.strictFlags()));
            unit.awaitActive(Unit.START_TIMEOUT);
            assertTrue(unit.stderr().contains("fdstore: server-socket-channel socket /127.0.0.1:" + port
                    + " handed to systemd's file descriptor store as 'tcp-" + port + "'"), unit::diagnostics);
            LoopbackLoad load = new LoopbackLoad(port, 2, REQUEST_TIMEOUT_MS, MAX_REQUESTS, app.greeting());
            try (load) {
                restart(unit, port);
            }
            String report = "fd store, " + RESTARTS + " restarts on " + jdk + ": " + load.report();
            System.out.println(report);
            assertTrue(load.ok.get() > 0, report);
            assertEquals(0, load.refused.get(), () -> report + "\n" + unit.diagnostics());
            assertEquals(0, load.timedOut.get(), () -> report + "\n" + unit.diagnostics());
            // StandardError=file: starts afresh with each run: this is the last JVM's
            assertTrue(unit.stderr().contains("uses inherited socket 'tcp-" + port + "' (fd 3, 127.0.0.1:" + port + ")"),
                    unit::diagnostics);
        }
    }

    /** The control: no .socket unit, the app binds its own socket; its restarts refuse connections. */
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void restartsRefuseConnectionsWhenTheAppBindsItsOwnSocket(Jdk jdk) throws Exception {
        App app = App.JDK_HTTPSERVER;
        int port = Net.freePort();
        try (ActivatedUnit unit = new ActivatedUnit("own-socket-" + jdk.id())) {
            unit.env("PORT", Integer.toString(port)).workingDirectory(app.jar().getParent())
                    .listen(ActivatedUnit.appCommand(jdk, app, "ready=" + app.readyHook, jdk.strictFlags()));
            unit.awaitActive(Unit.START_TIMEOUT);
            LoopbackLoad load = new LoopbackLoad(port, 2, REQUEST_TIMEOUT_MS, MAX_REQUESTS, app.greeting());
            try (load) {
                restart(unit, port);
            }
            String report = "own socket, " + RESTARTS + " restarts on " + jdk + ": " + load.report();
            System.out.println(report);
            assertTrue(load.ok.get() > 0, report);
            assertTrue(load.refused.get() > 0, () -> "expected refused connections while the app restarts: " + report);
        }
    }

    private static void restart(ActivatedUnit unit, int port) throws Exception {
        Thread.sleep(1000);
        for (int i = 0; i < RESTARTS; i++) {
            long before = unit.mainPid();
            Systemd.Result restarted = Systemd.systemctl("restart", unit.name + ".service");
            assertEquals(0, restarted.status, restarted.output);
            unit.awaitActive(Unit.START_TIMEOUT);
            assertTrue(unit.mainPid() != before, "a new JVM after restart " + (i + 1));
            Thread.sleep(1000);
        }
    }
}
