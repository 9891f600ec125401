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
 * Real vendor servers from Maven Central, run as an operator runs them (by their own scripts where the distribution
 * has them, with the agent in the variable those scripts read) and no {@code ready=}: ready=auto must find the
 * ready point by itself, through a preset or, when none applies, the listener fallback.
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

    /**
     * Artemis started by the first connection to a {@code .socket} unit on its STOMP port: its Netty epoll acceptor
     * takes systemd's socket (the agent's interception of Netty's native bind), the STOMP CONNECT frame sent on that
     * first connection is answered, and the port has one listening socket, systemd's, held by the JVM.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void artemisStompAcceptorOnSystemdsSocket(Jdk jdk) throws Exception {
        int offset = freeOffset();
        Path instance = createArtemis(jdk, offset);
        int stomp = 61613 + offset;
        try (ActivatedUnit unit = new ActivatedUnit("artemis-" + jdk.id())) {
            unit.socket("ListenStream=" + stomp)
                    .env("JAVA_HOME", jdk.java().getParent().getParent().toString())
                    .env("JAVA_ARGS_APPEND", "-javaagent:" + Suite.agentJar())
                    .listen(List.of(instance.resolve("bin/artemis").toString(), "run"));
            assertEquals("inactive", unit.serviceState(), "nothing started before the first connection");
            String answer;
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), stomp), 10_000);
                client.setSoTimeout((int) Unit.START_TIMEOUT.toMillis());
                client.getOutputStream().write("CONNECT\naccept-version:1.2\nhost:localhost\nlogin:sd\npasscode:sd\n\n\u0000"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                byte[] frame = new byte[9];
                int read = 0;
                for (int n; read < frame.length && (n = client.getInputStream().read(frame, read, frame.length - read)) > 0; ) {
                    read += n;
                }
                answer = new String(frame, 0, read, java.nio.charset.StandardCharsets.US_ASCII);
            }
            assertEquals("CONNECTED", answer, unit::diagnostics);
            unit.awaitActive(Unit.START_TIMEOUT);
            SocketActivationDistributionsIT.assertOnlySystemdsSocket(unit, stomp);
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

    /**
     * Apache Kafka 4.1 in KRaft mode (broker and controller in one JVM), run as its kafka-server-start.sh runs it
     * (java, Kafka's jars, kafka.Kafka server.properties). No preset knows Kafka: the listener fallback decides. Its
     * controller port listens first, its client port later, while the main thread is still starting: READY comes
     * once both listen and the main thread waits for shutdown, the status names both, and an ApiVersions request
     * to the client port is answered at once.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void kafkaKraftBrokerNeedsNoPreset(Jdk jdk) throws Exception {
        int client = Net.freePort();
        int controller = Net.freePort();
        Path config = kafkaConfig(jdk, client, controller);
        try (Unit unit = new Unit("dist-kafka-" + jdk.id())) {
            startKafka(unit, jdk, config);
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            short error = kafkaApiVersions(client); // at once
            assertEquals("active", state.active(), unit::diagnostics);
            assertEquals(0, error, "ApiVersions error code");
            String status = state.statusText();
            assertTrue(status.matches("Ready in [0-9]+\\.[0-9]{2} s: listening on .*") && status.contains("127.0.0.1:" + client)
                    && status.contains("127.0.0.1:" + controller), () -> status + "\n" + unit.diagnostics());
            Systemd.systemctl("stop", unit.name).check();
        }
    }

    /** Its client port taken: Kafka cannot bind it and exits; the controller port alone never made it ready. */
    @Test
    void kafkaWithItsClientPortTakenNeverReady() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Path config = kafkaConfig(Jdk.JDK17, taken.getLocalPort(), Net.freePort());
            try (Unit unit = new Unit("dist-kafka-taken")) {
                unit.property("TimeoutStartSec", "90");
                startKafka(unit, Jdk.JDK17, config);
                Unit.State state = unit.await("failed", Unit.START_TIMEOUT,
                        s -> s.is("failed") || s.is("active") || unit.endedInactive(s));
                assertFalse(unit.sawActiveState("active"), unit::diagnostics);
                assertFalse(state.statusText().startsWith("Ready"), unit::diagnostics);
            }
        }
    }

    private static void startKafka(Unit unit, Jdk jdk, Path config) {
        Path jar = Suite.appsDir().resolve("kafka/target/app.jar");
        unit.start(List.of(jdk.java().toString(), "-Dlog4j2.configurationFile=" + config.resolveSibling("log4j2.properties"),
                "-javaagent:" + Suite.agentJar(), "-jar", jar.toString(), config.toString()));
    }

    /** A KRaft combined-mode server.properties on two loopback ports, its log directory formatted as kafka-storage.sh does. */
    private static Path kafkaConfig(Jdk jdk, int client, int controller) throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Suite.logsDir()), "kafka-" + jdk.id() + "-");
        Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=PLAINTEXT://127.0.0.1:" + client + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + client,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1", ""));
        Files.writeString(dir.resolve("log4j2.properties"), String.join("\n",
                "rootLogger.level=INFO", "rootLogger.appenderRef.stdout.ref=STDOUT", "appender.stdout.type=Console",
                "appender.stdout.name=STDOUT", "appender.stdout.layout.type=PatternLayout",
                "appender.stdout.layout.pattern=[%d] %p %m (%c)%n", ""));
        String libs = Suite.appsDir().resolve("kafka/target/lib").toString() + "/*";
        Process format = new ProcessBuilder(jdk.java().toString(), "-cp", libs, "kafka.tools.StorageTool", "format",
                "-t", "MkU3OEVBNTcwNTJENDM2Qg", "-c", config.toString()).redirectErrorStream(true).start();
        String output = new String(format.getInputStream().readAllBytes());
        assertEquals(0, format.waitFor(), output);
        return config;
    }

    /** Kafka's ApiVersions request (key 18, version 0) on a fresh connection; the response's error code. */
    private static short kafkaApiVersions(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket.setSoTimeout(10_000);
            byte[] clientId = "sd-agent-test".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            java.io.DataOutputStream out = new java.io.DataOutputStream(socket.getOutputStream());
            out.writeInt(2 + 2 + 4 + 2 + clientId.length);
            out.writeShort(18); // ApiVersions
            out.writeShort(0);
            out.writeInt(42); // correlation id
            out.writeShort(clientId.length);
            out.write(clientId);
            out.flush();
            java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
            int size = in.readInt();
            assertTrue(size >= 6, "response size " + size);
            assertEquals(42, in.readInt(), "correlation id");
            return in.readShort();
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
