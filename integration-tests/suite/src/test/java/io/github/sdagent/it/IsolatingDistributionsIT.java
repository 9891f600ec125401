package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real distributions whose class loaders do not delegate the agent's packages to the bootstrap loader, run as their
 * operators run them, with the agent in the variable their scripts read and no {@code ready=}. The classes the agent
 * weaves there (a ready=auto preset's server class) live in an OSGi bundle (Karaf: Felix) or a JBoss module
 * (WildFly); their hook calls must reach the agent's bridge through the forwarder the agent defines in that loader.
 * Before that, the application's own start failed with NoClassDefFoundError for the bridge.
 */
class IsolatingDistributionsIT {

    /**
     * Apache Karaf 4.4 as its own systemd template runs it ({@code bin/karaf daemon}, which execs java), the agent in
     * EXTRA_JAVA_OPTS, Pax Web's Jetty installed at boot ({@code http} in featuresBoot; Karaf fetches its bundles
     * from Maven Central into ~/.m2 the first time), its default SSH and JMX features kept (their ports listen
     * seconds before Jetty: the fallback must not claim READY on them while bundles still load). Jetty's Server lives
     * in a bundle: the Jetty preset fires through the forwarder, the status names Jetty and its port, and the port
     * answers at once. With the agent of e8ca92b Felix answered the agent's own lookup of the bridge with the
     * bootstrap's (implicit boot delegation), no forwarder was defined and Pax Web failed with NoClassDefFoundError:
     * no server, the unit never active. JDK 17 only: Karaf 4.4.10's bin/inc adds
     * {@code -Djava.security.manager=allow}, which JDK 24 and later refuse to start with.
     */
    @Test
    void karafJettyBundleIsHookedThroughTheForwarder() throws Exception {
        Jdk jdk = Jdk.JDK17;
        int http = Net.freePort();
        Path karaf = karafWithHttp(jdk, http);
        try (Unit unit = new Unit("dist-karaf-" + jdk.id())) {
            unit.env("JAVA_HOME", jdk.java().getParent().getParent().toString())
                    .env("EXTRA_JAVA_OPTS", "-javaagent:" + Suite.agentJar());
            unit.start(List.of(karaf.resolve("bin/karaf").toString(), "daemon"));
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            int answer = httpStatus(http); // at once: READY came when Jetty's start returned
            String log = Files.readString(karaf.resolve("data/log/karaf.log"));
            assertEquals("active", state.active(), unit::diagnostics);
            assertFalse(log.contains("NoClassDefFoundError"), () -> log);
            String status = state.statusText();
            assertTrue(status.matches("Ready in [0-9]+\\.[0-9]{2} s: Jetty 9\\.4\\.[0-9A-Za-z.]+ on .*")
                    && status.contains(":" + http), () -> status + "\n" + unit.diagnostics() + "\n" + log);
            assertEquals(404, answer, "Pax Web's Jetty with no web application installed");
            Systemd.systemctl("stop", unit.name).check();
            assertEquals("success", unit.show().get("Result"), unit::diagnostics);
        }
    }

    /**
     * WildFly 39 with its full profile ({@code standalone.sh -c standalone-full.xml}), the agent in JAVA_OPTS and
     * nothing else: no {@code -Djboss.modules.system.pkgs} (a JAVA_OPTS from the environment replaces
     * standalone.conf's defaults, that one included). Its embedded Artemis constructs Netty's ServerBootstrap, the
     * Netty preset's class, inside the JBoss module io.netty.netty-transport: with the agent of e8ca92b that threw
     * NoClassDefFoundError for the bridge and messaging failed to start ("started (with errors)"); now the server
     * starts cleanly, Artemis is active, and READY comes from ready=auto's WildFly Core preset
     * ({@code ServerService#boot(BootContext)}, the whole boot: before it the listener fallback claimed READY seconds
     * before WildFly had resumed from its boot), so the welcome page and the management port answer the moment the
     * unit is active; JBoss LogManager reports no problem, and {@code systemctl stop} ends it. standalone.sh forks
     * java: NotifyAccess=all, the agent sends MAINPID.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void wildflyFullProfileWithNettyInAModule(Jdk jdk) throws Exception {
        Path home = Suite.path("it.wildfly.home");
        Path base = Files.createTempDirectory(Files.createDirectories(Suite.logsDir()), "wildfly-" + jdk.id() + "-");
        copy(home.resolve("standalone"), base);
        int offset = freeOffset(WILDFLY_PORTS);
        int http = 8080 + offset;
        int management = 9990 + offset;
        try (Unit unit = new Unit("dist-wildfly-" + jdk.id())) {
            unit.property("NotifyAccess", "all")
                    .env("JAVA_HOME", jdk.java().getParent().getParent().toString())
                    .env("JBOSS_BASE_DIR", base.resolve("standalone").toString())
                    .env("JAVA_OPTS", "-javaagent:" + Suite.agentJar());
            unit.start(List.of(home.resolve("bin/standalone.sh").toString(), "-c", "standalone-full.xml",
                    "-Djboss.socket.binding.port-offset=" + offset));
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            assertEquals("active", state.active(), unit::diagnostics);
            String status = state.statusText();
            assertTrue(status.matches("Ready in [0-9]+\\.[0-9]{2} s: WildFly Core [0-9]+\\..*"),
                    () -> status + "\n" + unit.diagnostics());
            // READY when the boot has ended (resumed, every service up): the ports answer at once, no waiting
            String page = Net.get(http);
            assertTrue(page.contains("WildFly"), page);
            assertEquals(200, httpStatus(management), "the management interface's start page");
            // the verdict line is printed right after the boot method returns
            long end = System.nanoTime() + 10_000_000_000L;
            while (!unit.stdout().contains("WFLYSRV0025") && !unit.stdout().contains("WFLYSRV0026")
                    && System.nanoTime() < end) {
                Unit.sleep(200);
            }
            String output = unit.stdout() + unit.stderr();
            assertFalse(output.contains("NoClassDefFoundError") || output.contains("WFLYSRV0026"), unit::diagnostics);
            assertFalse(output.contains("LogManager") && output.contains("not properly installed"), unit::diagnostics);
            assertTrue(output.contains("AMQ221007: Server is now active"), unit::diagnostics);
            assertTrue(output.contains("WFLYSRV0025"), unit::diagnostics);
            Systemd.systemctl("stop", unit.name).check();
            assertEquals("success", unit.show().get("Result"), unit::diagnostics);
        }
    }

    /** standalone-full.xml's socket bindings, before the port offset. */
    private static final int[] WILDFLY_PORTS = {8009, 8080, 8443, 3528, 3529, 9990, 9993, 4712, 4713};

    /** A copy of Karaf's home with Pax Web's Jetty at boot on {@code http}, beside its default features. */
    private static Path karafWithHttp(Jdk jdk, int http) throws Exception {
        Path home = Suite.path("it.karaf.home");
        Path copy = Files.createTempDirectory(Files.createDirectories(Suite.logsDir()), "karaf-" + jdk.id() + "-");
        copy(home, copy);
        Path karaf = copy.resolve(home.getFileName());
        Path etc = karaf.resolve("etc");
        String version = home.getFileName().toString().substring("apache-karaf-".length());
        Path features = etc.resolve("org.apache.karaf.features.cfg");
        replace(features, "    kar/", "    http, \\\n    kar/");
        // its SSH console (8101) and JMX connector (1099, 44444) stay, as shipped: they listen seconds before Pax Web's
        // Jetty, and only the fallback's class-loading rule keeps it from claiming READY on them (ServingEvidence)
        assertTrue(Files.readString(features).contains("    ssh/" + version) && Files.readString(features)
                .contains("    management/" + version), "Karaf's default features as shipped");
        Files.writeString(etc.resolve("org.ops4j.pax.web.cfg"), "org.osgi.service.http.port=" + http + "\n");
        return karaf;
    }

    private static void replace(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertTrue(text.contains(from), file + " lacks " + from);
        Files.writeString(file, text.replace(from, to));
    }

    private static void copy(Path from, Path intoDirectory) throws Exception {
        Process cp = new ProcessBuilder("cp", "-r", from.toString(), intoDirectory.toString()).redirectErrorStream(true)
                .start();
        String output = new String(cp.getInputStream().readAllBytes());
        assertEquals(0, cp.waitFor(), output);
    }

    /** The status code of {@code GET /} on 127.0.0.1:port, whatever it is. */
    private static int httpStatus(int port) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/").toURL()
                .openConnection();
        connection.setConnectTimeout(5000);
        connection.setReadTimeout(10_000);
        try {
            return connection.getResponseCode();
        } finally {
            connection.disconnect();
        }
    }

    /** An offset under which all {@code ports} are free right now (tests run in parallel). */
    private static int freeOffset(int[] ports) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int offset = ThreadLocalRandom.current().nextInt(100, 3000);
            boolean free = true;
            for (int port : ports) {
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
        throw new IllegalStateException("no free port offset for WildFly");
    }
}
