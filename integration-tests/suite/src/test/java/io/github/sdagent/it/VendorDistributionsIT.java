package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real vendor distributions from Maven Central, started by their own scripts as an operator runs them, with the
 * agent in the variable those scripts read and no {@code ready=}: ready=auto must find the ready point by itself.
 */
class VendorDistributionsIT {

    /** The five acceptors of a new Artemis instance, before --port-offset. */
    private static final int[] ARTEMIS_PORTS = {61616, 5672, 61613, 5445, 1883};

    /**
     * Apache ActiveMQ Artemis: {@code artemis create} makes an instance, {@code bin/artemis run} execs java with
     * JAVA_ARGS_APPEND. Its acceptors use Netty's native epoll transport; READY comes once all five are bound (the
     * Netty preset's bind futures), the status names them, and a client connects at once. Measured here: about 6 s
     * to READY on an idle machine, 27-29 s with both JDKs' brokers and other builds on two cores.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void artemisBrokerWithItsOwnScript(Jdk jdk) throws Exception {
        int offset = freeOffset();
        Path instance = createArtemis(jdk, offset);
        try (Unit unit = new Unit("dist-artemis-" + jdk.id())) {
            startArtemis(unit, jdk, instance);
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            int brokerPort = ARTEMIS_PORTS[0] + offset;
            try (Socket client = new Socket()) { // at once: READY must not come before the acceptor listens
                client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), brokerPort), 5000);
            }
            assertEquals("active", state.active(), unit::diagnostics);
            String status = state.statusText();
            // its Jetty console is named too when it started before the main thread settled (see docs/readiness.md)
            assertTrue(status.matches("Ready in [0-9]+\\.[0-9]{2} s: Netty [0-9A-Za-z.]+( \\+ Jetty [0-9.]+)? on .*"),
                    () -> status + "\n" + unit.diagnostics());
            for (int port : ARTEMIS_PORTS) {
                assertTrue(status.contains(":" + (port + offset)), () -> status + " lacks :" + (port + offset));
            }
            Systemd.systemctl("stop", unit.name).check();
        }
    }

    /** Its client port taken: the acceptor's bind fails, Artemis gives up, and the unit is never active. */
    @Test
    void artemisWithItsPortTakenNeverReady() throws Exception {
        int offset = freeOffset();
        Path instance = createArtemis(Jdk.JDK17, offset);
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), ARTEMIS_PORTS[0] + offset));
            try (Unit unit = new Unit("dist-artemis-taken")) {
                unit.property("TimeoutStartSec", "60");
                startArtemis(unit, Jdk.JDK17, instance);
                Unit.State state = unit.await("failed", Unit.START_TIMEOUT,
                        s -> s.is("failed") || s.is("active") || unit.endedInactive(s));
                assertFalse(unit.sawActiveState("active"), unit::diagnostics);
                assertFalse(state.statusText().startsWith("Ready"), unit::diagnostics);
                assertTrue(unit.stderr().contains("sd-agent: Netty failed: ") && unit.stderr().contains("Address already in use"),
                        unit::diagnostics);
            }
        }
    }

    private static void startArtemis(Unit unit, Jdk jdk, Path instance) {
        unit.env("JAVA_HOME", jdk.java().getParent().getParent().toString())
                .env("JAVA_ARGS_APPEND", "-javaagent:" + Suite.agentJar());
        unit.start(List.of(instance.resolve("bin/artemis").toString(), "run"));
    }

    /** {@code artemis create} with every acceptor moved by {@code offset} and the console on a free port. */
    private static Path createArtemis(Jdk jdk, int offset) throws Exception {
        Path home = Suite.path("it.artemis.home");
        Path instance = Files.createTempDirectory(Files.createDirectories(Suite.logsDir()), "artemis-" + jdk.id() + "-");
        Files.delete(instance); // create wants to make it
        ProcessBuilder create = new ProcessBuilder(home.resolve("bin/artemis").toString(), "create", "--silent",
                "--user", "sd", "--password", "sd", "--require-login", "--port-offset", Integer.toString(offset),
                "--http-port", Integer.toString(Net.freePort()), "--http-host", "127.0.0.1", instance.toString())
                .redirectErrorStream(true);
        create.environment().put("JAVA_HOME", jdk.java().getParent().getParent().toString());
        Process process = create.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), output);
        return instance;
    }

    /** An offset under which all five acceptor ports are free right now (tests run in parallel). */
    private static int freeOffset() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int offset = ThreadLocalRandom.current().nextInt(100, 3000);
            boolean free = true;
            for (int port : ARTEMIS_PORTS) {
                try (ServerSocket probe = new ServerSocket(port + offset)) {
                    probe.close();
                } catch (IOException used) {
                    free = false;
                    break;
                }
            }
            if (free) {
                return offset;
            }
        }
        throw new IllegalStateException("no free port offset for Artemis");
    }
}
