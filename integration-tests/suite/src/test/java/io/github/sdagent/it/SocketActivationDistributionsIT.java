package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Socket activation with real server distributions, started as an operator starts them: Tomcat's
 * {@code catalina.sh run} (which execs java, so LISTEN_PID still names the JVM; the agent comes in through
 * CATALINA_OPTS; READY when StandardServer#startInternal returns, since Catalina#start blocks in run mode) and Jetty's {@code java -jar start.jar} in a Jetty base. The first connection to the
 * {@code .socket} unit starts the service and gets an HTTP answer from the server (404: the bases hold no
 * application); only systemd's socket listens on the port.
 */
class SocketActivationDistributionsIT {

    static Path dist(String prefix) throws IOException {
        Path dists = Suite.path("it.dists.dir");
        try (Stream<Path> entries = Files.list(dists)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + prefix + "* in " + dists));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void tomcatCatalinaShRun(Jdk jdk) throws Exception {
        Path home = dist("apache-tomcat-");
        int port = Net.freePort();
        Path base = Files.createTempDirectory(Suite.logsDir(), "tomcat-base-");
        for (String dir : new String[] {"conf", "logs", "temp", "webapps", "work"}) {
            Files.createDirectories(base.resolve(dir));
        }
        try (Stream<Path> conf = Files.list(home.resolve("conf"))) {
            for (Path file : (Iterable<Path>) conf::iterator) {
                if (Files.isRegularFile(file)) {
                    Files.copy(file, base.resolve("conf").resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path serverXml = base.resolve("conf/server.xml");
        String xml = Files.readString(serverXml, StandardCharsets.UTF_8);
        assertTrue(xml.contains("<Connector port=\"8080\"") && xml.contains("<Server port=\"8005\""), "server.xml as shipped");
        Files.writeString(serverXml, xml.replace("<Connector port=\"8080\"", "<Connector address=\"127.0.0.1\" port=\"" + port + "\"")
                .replace("<Server port=\"8005\"", "<Server port=\"-1\""), StandardCharsets.UTF_8);
        setExecutable(home.resolve("bin"));
        Path javaHome = jdk.java().getParent().getParent();
        try (ActivatedUnit unit = new ActivatedUnit("tomcat-dist-" + jdk.id())) {
            unit.socket("ListenStream=127.0.0.1:" + port)
                    .env("JAVA_HOME", javaHome.toString()).env("CATALINA_HOME", home.toString())
                    .env("CATALINA_BASE", base.toString())
                    .env("CATALINA_OPTS", "-javaagent:" + Suite.agentJar() + "=ready=org.apache.catalina.core.StandardServer#startInternal")
                    .listen(List.of(home.resolve("bin/catalina.sh").toString(), "run"));
            assertEquals("inactive", unit.serviceState());

            String status = statusLine(port);

            assertTrue(status.startsWith("HTTP/1.1 404"), () -> status + "\n" + unit.diagnostics());
            unit.awaitActive(Unit.START_TIMEOUT);
            assertOnlySystemdsSocket(unit, port);
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void jettyStartJar(Jdk jdk) throws Exception {
        jettyStartJarOnSystemdsSocket(jdk.java(), Suite.path("it.jetty.home"), "jetty-dist-" + jdk.id(),
                "=ready=org.eclipse.jetty.server.Server#start");
    }

    /**
     * JDK 11 (integration-tests/jdk11.sh): jetty-home 10, the newest Jetty that runs there, started by its start.jar
     * with no ready= (the Jetty preset): the JDK 11 form of ServerSocketChannelImpl's bind takes systemd's socket.
     */
    @org.junit.jupiter.api.Test
    void jetty10StartJarOnJdk11() throws Exception {
        String jdk11 = System.getenv().getOrDefault("SDAGENT_JDK11",
                "/var/tmp/sd-agent-jdk11/root/usr/lib/jvm/java-11-openjdk-amd64");
        Path java = Path.of(jdk11, "bin", "java");
        Suite.require(Files.isExecutable(java), "JDK 11 is not installed at " + jdk11
                + " (bash integration-tests/jdk11.sh ensure)");
        String jetty10 = System.getProperty("it.jetty.home.versions").split(",")[1];
        assertTrue(jetty10.startsWith("10."), jetty10);
        jettyStartJarOnSystemdsSocket(java, Suite.path("it.dists.dir").resolve("jetty-home-" + jetty10),
                "jetty10-dist-jdk11", "");
    }

    private static void jettyStartJarOnSystemdsSocket(Path java, Path home, String scenario, String agentOptions)
            throws Exception {
        int port = Net.freePort();
        Path base = Files.createTempDirectory(Suite.logsDir(), "jetty-base-");
        Process setup = new ProcessBuilder(java.toString(), "-jar", home.resolve("start.jar").toString(),
                "--add-modules=http").directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(base.resolve("setup.log").toFile()).start();
        assertTrue(setup.waitFor(120, TimeUnit.SECONDS) && setup.exitValue() == 0,
                () -> "jetty base setup: " + read(base.resolve("setup.log")));
        try (ActivatedUnit unit = new ActivatedUnit(scenario)) {
            unit.socket("ListenStream=127.0.0.1:" + port).workingDirectory(base)
                    .listen(List.of(java.toString(), "-javaagent:" + Suite.agentJar() + agentOptions,
                            "-jar", home.resolve("start.jar").toString(),
                            "jetty.http.host=127.0.0.1", "jetty.http.port=" + port));
            assertEquals("inactive", unit.serviceState());

            String status = statusLine(port);

            assertTrue(status.startsWith("HTTP/1.1 404"), () -> status + "\n" + unit.diagnostics());
            unit.awaitActive(Unit.START_TIMEOUT);
            assertOnlySystemdsSocket(unit, port);
            // ready=auto names the server its preset found; an explicit hook is named as given
            assertTrue(unit.statusText().startsWith("Ready in ") && unit.statusText().contains(
                    agentOptions.isEmpty() ? "Jetty" : "Server#start"), unit::diagnostics);
        }
    }

    /** The first line of the answer to {@code GET /} (the connection that starts the service). */
    static String statusLine(int port) throws IOException {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout((int) SocketActivationIT.FIRST_REQUEST_TIMEOUT.toMillis());
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = response.indexOf('\r');
            return end < 0 ? response : response.substring(0, end);
        }
    }

    static void assertOnlySystemdsSocket(ActivatedUnit unit, int port) throws IOException {
        Set<String> listening = ActivatedUnit.listeningInodes(port);
        assertEquals(1, listening.size(), () -> "listening sockets on " + port + ": " + listening);
        String systemdSocket = listening.iterator().next();
        Map<Integer, String> fds = ActivatedUnit.socketFds(unit.mainPid());
        long copies = fds.values().stream().filter(systemdSocket::equals).count();
        assertEquals(systemdSocket, fds.get(3), () -> "fd 3 is systemd's socket: " + fds + "\n" + unit.diagnostics());
        assertTrue(copies >= 2, () -> "the server's channel is a copy of fd 3: " + fds + "\n" + unit.diagnostics());
        assertTrue(unit.stderr().contains("uses inherited socket"), unit::diagnostics);
    }

    private static void setExecutable(Path bin) throws IOException {
        try (Stream<Path> scripts = Files.list(bin)) {
            for (Path script : (Iterable<Path>) scripts::iterator) {
                if (script.toString().endsWith(".sh")) {
                    script.toFile().setExecutable(true);
                }
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
