package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Readiness without knowing the internals (issue 9), under the real user manager, on JDK 17 and 25: every sample
 * server with no {@code ready=} at all (ready=auto, the default) goes active only once its port serves, with a status
 * naming what was detected; with its port taken it is never reported ready. {@code log:} and {@code http:} against
 * an app whose internals the test does not use, including conditions that never come true.
 */
class AutoReadinessIT {

    static Stream<Arguments> appsOnJdks() {
        List<Arguments> all = new ArrayList<>();
        for (App app : App.underTest()) {
            for (Jdk jdk : Jdk.values()) {
                if (app.runsOn(jdk)) {
                    all.add(Arguments.of(app, jdk));
                }
            }
        }
        return all.stream();
    }

    /** What ready=auto names in the READY status for each sample. */
    static String detected(App app) {
        switch (app) {
            case JETTY: return "Jetty";
            case TOMCAT: return "Tomcat";
            case SPRING_BOOT: return "Spring Boot";
            case NETTY: return "Netty";
            case UNDERTOW: return "Undertow";
            case JDK_HTTPSERVER: return "JDK HttpServer";
            case VERTX: return "Vert.x";
            case QUARKUS: return "Quarkus";
            case MICRONAUT: return "Micronaut";
            case HELIDON: return "Helidon";
            case DROPWIZARD: return "Dropwizard";
            case GRPC: return "gRPC";
            case ARMERIA: return "Armeria";
            default: throw new IllegalArgumentException(app.toString());
        }
    }

    /**
     * The whole READY status of the framework samples: the framework with its version, then the servers it
     * started, in parentheses, with the port (the order of Vert.x and Netty is the order their starts completed).
     * Null for the other samples (their name and port are checked).
     */
    static String statusPattern(App app, int port) {
        String ready = "Ready in [0-9]+\\.[0-9]{2} s: ";
        String netty41 = "Netty 4\\.1\\.[0-9]+\\.Final";
        String vertx = "Vert\\.x 4\\.5\\.[0-9]+";
        switch (app) {
            case QUARKUS: return ready + "Quarkus 3\\.33\\.2 \\((" + vertx + " \\+ " + netty41 + "|" + netty41 + " \\+ " + vertx
                    + ") on :" + port + "\\)";
            case MICRONAUT: return ready + "Micronaut 4\\.10\\.[0-9]+ \\(Netty 4\\.2\\.[0-9]+\\.Final on :" + port + "\\)";
            case HELIDON: return ready + "Helidon 4\\.5\\.0 on :" + port;
            default: return null;
        }
    }

    /**
     * The preset the agent names in "sd-agent: X failed: " when the port is taken, or null: the JDK server fails in
     * HttpServer.create, before its ready point; Dropwizard's Jetty binds in a SetUIDListener before Server#doStart,
     * and Dropwizard then calls System.exit(1) from Application#run (never ready, but no preset failed).
     */
    static String failedPreset(App app) {
        switch (app) {
            case JDK_HTTPSERVER: case DROPWIZARD: return null;
            default: return detected(app);
        }
    }

    /** Asks the app what it answers, right away: GET / for HTTP; for gRPC the HTTP/2 handshake, then a real call. */
    static String greet(App app, Jdk jdk, int port) throws Exception {
        if (app != App.GRPC) {
            return Net.get(port);
        }
        Net.http2Settings(port); // at once, before a client JVM has started
        Path errors = Files.createTempFile(Suite.logsDir(), "grpc-client-", ".err");
        Process call = new ProcessBuilder(jdk.java().toString(), "-cp", app.jar().toString(),
                "io.github.sdagent.it.sample.grpc.GrpcClient", Integer.toString(port))
                .redirectError(errors.toFile()).start(); // stderr apart: JDK 25 warns about gRPC's native transport
        String answer = new String(call.getInputStream().readAllBytes());
        assertEquals(0, call.waitFor(), () -> answer + readQuietly(errors));
        return answer;
    }

    private static List<String> flags(App app, Jdk jdk) {
        return app.usesOwnNativeCode() ? List.of() : jdk.strictFlags();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("appsOnJdks")
    void withoutReadyOptionActiveOnlyOnceThePortServes(App app, Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Unit unit = new Unit("auto-" + app.dir + "-" + jdk.id())) {
            unit.env("PORT", Integer.toString(port)).env("SAMPLE_START_DELAY_MS", Long.toString(ReadinessIT.START_DELAY_MS));
            long started = System.nanoTime();
            unit.startApp(jdk, app, "", flags(app, jdk));

            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            String body = greet(app, jdk, port); // at once: READY must not have come before the server listened
            long readyAfterMs = (System.nanoTime() - started) / 1_000_000;

            assertEquals("active", state.active(), unit::diagnostics);
            assertTrue(unit.sawActiveState("activating"), () -> "never saw activating\n" + unit.diagnostics());
            assertTrue(readyAfterMs >= ReadinessIT.START_DELAY_MS, () -> "active after " + readyAfterMs + " ms\n" + unit.diagnostics());
            assertTrue(body.startsWith(app.greeting()), () -> "GET / answered: " + body);
            String status = state.statusText();
            assertTrue(status.matches("Ready in [0-9]+\\.[0-9]{2} s: .*") && status.contains(detected(app))
                            && status.contains(":" + port),
                    () -> "StatusText \"" + status + "\" does not name " + detected(app) + " on :" + port + "\n" + unit.diagnostics());
            String pattern = statusPattern(app, port);
            assertTrue(pattern == null || status.matches(pattern), () -> "StatusText \"" + status + "\" is not " + pattern);
            if (app == App.GRPC) { // its relocated Netty (io.grpc.netty.shaded.io.netty) counts, named by its jar
                assertTrue(status.contains("Netty relocated in grpc-netty-shaded-"), () -> status);
            }
            if (app == App.DROPWIZARD) { // the framework, its Jetty in parentheses
                assertTrue(status.matches(".*: Dropwizard [0-9.]+ \\(Jetty [0-9.]+ on :" + port + "\\)"), () -> status);
            }
            Systemd.systemctl("stop", unit.name).check();
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("appsOnJdks")
    void portTakenNeverReady(App app, Jdk jdk) throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = taken.getLocalPort();
            try (Unit unit = new Unit("auto-taken-" + app.dir + "-" + jdk.id())) {
                unit.property("TimeoutStartSec", "40");
                unit.env("PORT", Integer.toString(port));
                unit.startApp(jdk, app, "", flags(app, jdk));
                // Some exit (Jetty, Undertow, the JDK server, Vert.x, Spring Boot), some log and run on (Tomcat,
                // Netty's sample): either way the unit must end failed at the latest at TimeoutStartSec, never active.
                // Quarkus and Micronaut exit 1 (their start throws); Helidon 4 logs "failed to start", returns
                // normally from LoomServer#start and exits 0 (the preset's isRunning check says why it is not ready).
                Unit.State state = unit.await("failed", Duration.ofSeconds(150),
                        s -> s.is("failed") || s.is("active") || unit.endedInactive(s));
                assertFalse(unit.sawActiveState("active"), () -> "reported ready with its port taken\n" + unit.diagnostics());
                assertFalse(state.statusText().startsWith("Ready"), unit::diagnostics);
                // no start delay here: the preset must be hooked even when the server starts at once, and say why
                // it is not ready (see failedPreset for the two that fail before any ready point)
                if (failedPreset(app) != null) {
                    assertTrue(unit.stderr().contains("sd-agent: " + failedPreset(app) + " failed: "), unit::diagnostics);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void logAndHttpConditionsOnAnAppWhoseInternalsAreUnknown(Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Unit unit = new Unit("auto-http-" + jdk.id())) {
            unit.env("PORT", Integer.toString(port)).env("SAMPLE_START_DELAY_MS", "1500");
            unit.startApp(jdk, App.VERTX, "ready=http:http://127.0.0.1:" + port + "/,ready-http-interval=200ms", jdk.strictFlags());
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            String body = Net.get(port);
            assertEquals("active", state.active(), unit::diagnostics);
            assertTrue(body.startsWith(App.VERTX.greeting()), body);
            assertTrue(state.statusText().startsWith("Ready in ") && state.statusText().contains("answered 200"),
                    unit::diagnostics);
            Systemd.systemctl("stop", unit.name).check();
        }
        // Spring Boot logs "Started BootApp in N seconds" through Logback's console appender
        int bootPort = Net.freePort();
        try (Unit unit = new Unit("auto-log-" + jdk.id())) {
            unit.env("PORT", Integer.toString(bootPort));
            unit.startApp(jdk, App.SPRING_BOOT, "ready=log:Started \\w+ in [0-9.]+ seconds", List.of());
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            assertEquals("active", state.active(), unit::diagnostics);
            assertTrue(Net.get(bootPort).startsWith(App.SPRING_BOOT.greeting()));
            assertTrue(state.statusText().contains("log:Started"), unit::diagnostics);
            assertTrue(unit.stdout().contains("Started BootApp in "), "the app's output is still there: " + unit.stdout());
            Systemd.systemctl("stop", unit.name).check();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void conditionsThatNeverComeTrueTimeOutSayingWhatTheyWaitedFor(Jdk jdk) throws Exception {
        int port = Net.freePort();
        int nobodyListens = Net.freePort();
        try (Unit unit = new Unit("auto-never-http-" + jdk.id())) {
            unit.property("TimeoutStartSec", "20");
            unit.env("PORT", Integer.toString(port));
            String url = "http://127.0.0.1:" + nobodyListens + "/health";
            unit.startApp(jdk, App.JDK_HTTPSERVER, "ready=http:" + url + ",ready-http-interval=300ms,ready-http-timeout=1s",
                    jdk.strictFlags());
            Unit.State state = unit.await("failed", Unit.START_TIMEOUT, s -> s.is("failed") || s.is("active"));
            assertEquals("failed", state.active(), unit::diagnostics);
            // at TimeoutStartSec systemd sends SIGTERM: the last STATUS keeps what READY waited for
            assertTrue(state.statusText().startsWith("Stopping (SIGTERM) before READY; Starting: waiting for http:" + url
                    + " to answer 2xx (last: ConnectException"), unit::diagnostics);
        }
        Path never = Files.createTempFile("sdt-auto-never", ".java");
        Files.writeString(never, "public class Never { public static void main(String[] a) throws Exception {"
                + " System.out.println(\"working\"); Thread.sleep(600_000); } }");
        try (Unit unit = new Unit("auto-nothing-" + jdk.id())) {
            unit.property("TimeoutStartSec", "20");
            unit.start(List.of(jdk.java().toString(), "-javaagent:" + Suite.agentJar(), never.toString()));
            Unit.State state = unit.await("failed", Unit.START_TIMEOUT, s -> s.is("failed") || s.is("active"));
            assertEquals("failed", state.active(), unit::diagnostics);
            assertEquals("Stopping (SIGTERM) before READY; "
                    + "Starting: waiting for a server to listen (ready=auto found no framework); set ready=...",
                    state.statusText(), unit::diagnostics);
        }
        try (Unit unit = new Unit("auto-never-log-" + jdk.id())) {
            unit.property("TimeoutStartSec", "20");
            unit.start(List.of(jdk.java().toString(), "-javaagent:" + Suite.agentJar() + "=ready=log:never printed",
                    never.toString()));
            Unit.State state = unit.await("failed", Unit.START_TIMEOUT, s -> s.is("failed") || s.is("active"));
            assertEquals("failed", state.active(), unit::diagnostics);
            assertEquals("Stopping (SIGTERM) before READY; Starting (waiting for log:never printed)",
                    state.statusText(), unit::diagnostics);
            assertTrue(unit.stdout().contains("working"), unit::diagnostics);
        } finally {
            Files.deleteIfExists(never);
        }
    }

    /**
     * Tomcat's binary distribution from Maven Central as an operator runs it: {@code catalina.sh run} (where
     * {@code Catalina#start} blocks until shutdown), the agent in CATALINA_OPTS, no ready= option. A CATALINA_BASE of
     * its own with the HTTP port changed and the shutdown port disabled, serving a static page.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void tomcatDistributionWithCatalinaShRun(Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Unit unit = new Unit("auto-catalina-" + jdk.id())) {
            startCatalina(unit, jdk, port);
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            String body = Net.get(port);
            assertEquals("active", state.active(), unit::diagnostics);
            assertTrue(body.startsWith("hello from tomcat-dist"), body);
            String status = state.statusText();
            assertTrue(status.matches("Ready in [0-9]+\\.[0-9]{2} s: Tomcat [0-9.]+ on :" + port), () -> status + "\n" + unit.diagnostics());
            Systemd.systemctl("stop", unit.name).check();
        }
    }

    /** The distribution logs a bind failure and runs on: never ready, the unit fails at TimeoutStartSec. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void tomcatDistributionWithItsPortTakenNeverReady(Jdk jdk) throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
            try (Unit unit = new Unit("auto-catalina-taken-" + jdk.id())) {
                unit.property("TimeoutStartSec", "40");
                startCatalina(unit, jdk, taken.getLocalPort());
                Unit.State state = unit.await("failed", Unit.START_TIMEOUT, s -> s.is("failed") || s.is("active"));
                assertEquals("failed", state.active(), unit::diagnostics);
                assertFalse(unit.sawActiveState("active"), unit::diagnostics);
                assertTrue(state.statusText().startsWith("Stopping after failed startup: java.lang.IllegalStateException: "
                        + "Tomcat connector"), unit::diagnostics);
            }
        }
    }

    private static void startCatalina(Unit unit, Jdk jdk, int port) throws Exception {
        Path home = Suite.path("it.tomcat.home");
        Path base = Files.createTempDirectory(Suite.logsDir(), unit.name + "-base-");
        Files.createDirectories(base.resolve("conf"));
        try (Stream<Path> conf = Files.list(home.resolve("conf"))) {
            for (Path file : (Iterable<Path>) conf::iterator) {
                if (Files.isRegularFile(file)) {
                    Files.copy(file, base.resolve("conf").resolve(file.getFileName()));
                }
            }
        }
        Path serverXml = base.resolve("conf/server.xml");
        Files.writeString(serverXml, Files.readString(serverXml)
                .replace("port=\"8005\"", "port=\"-1\"").replace("port=\"8080\"", "port=\"" + port + "\""));
        for (String dir : new String[] {"logs", "temp", "work", "webapps/ROOT"}) {
            Files.createDirectories(base.resolve(dir));
        }
        Files.writeString(base.resolve("webapps/ROOT/index.html"), "hello from tomcat-dist\n");
        Path javaHome = jdk.java().getParent().getParent();
        unit.env("CATALINA_HOME", home.toString()).env("CATALINA_BASE", base.toString())
                .env("JAVA_HOME", javaHome.toString())
                .env("CATALINA_OPTS", String.join(" ", jdk.strictFlags()) + " -javaagent:" + Suite.agentJar());
        unit.start(List.of("/bin/sh", home.resolve("bin/catalina.sh").toString(), "run"));
    }

    /** Jetty's homes 9.4, 10, 11, 12 on JDK 17; the oldest and the newest on JDK 25 too (the versions differ, not the JDKs). */
    static Stream<Arguments> jettyHomesOnJdks() {
        List<String> versions = List.of(System.getProperty("it.jetty.home.versions", "").split(","));
        Suite.require(versions.size() == 4, "it.jetty.home.versions names four jetty-home versions: " + versions);
        List<Arguments> all = new ArrayList<>();
        for (String version : versions) {
            all.add(Arguments.of(version, Jdk.JDK17));
        }
        all.add(Arguments.of(versions.get(0), Jdk.JDK25));
        all.add(Arguments.of(versions.get(versions.size() - 1), Jdk.JDK25));
        return all.stream();
    }

    /**
     * Jetty's home from Maven Central as an operator runs it: a jetty.base made with the http module
     * ({@code --add-to-start=http} in 9.4, {@code --add-modules=http} since 10), then
     * {@code java -javaagent:... -jar $JETTY_HOME/start.jar}, no ready= option. Active only once the port answers
     * HTTP (the base deploys nothing, so 404 is the answer); with the port taken, never active.
     */
    @ParameterizedTest(name = "jetty-home {0} on {1}")
    @MethodSource("jettyHomesOnJdks")
    void jettyHomeWithStartJar(String version, Jdk jdk) throws Exception {
        Path home = Suite.path("it.dists.dir").resolve("jetty-home-" + version);
        Suite.require(Files.isRegularFile(home.resolve("start.jar")), home + " is not unpacked (suite pom)");
        String id = version.replaceAll("[^0-9]", "").substring(0, 3) + "-" + jdk.id();
        Path base = Files.createTempDirectory(Files.createDirectories(Suite.logsDir()), "jetty-base-" + id + "-");
        Process addModules = new ProcessBuilder(jdk.java().toString(), "-jar", home.resolve("start.jar").toString(),
                version.startsWith("9.") ? "--add-to-start=http" : "--add-modules=http")
                .directory(base.toFile()).redirectErrorStream(true).start();
        String made = new String(addModules.getInputStream().readAllBytes());
        assertEquals(0, addModules.waitFor(), made);
        int port = Net.freePort();
        try (Unit unit = new Unit("auto-jetty-home-" + id)) {
            unit.workingDirectory(base);
            unit.start(List.of(jdk.java().toString(), "-javaagent:" + Suite.agentJar(), "-jar",
                    home.resolve("start.jar").toString(), "jetty.http.host=127.0.0.1", "jetty.http.port=" + port));
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            int answered = httpStatus(port); // at once
            assertEquals("active", state.active(), unit::diagnostics);
            assertEquals(404, answered, unit::diagnostics);
            assertTrue(state.statusText().matches("Ready in [0-9]+\\.[0-9]{2} s: Jetty "
                            + java.util.regex.Pattern.quote(version) + " on :" + port),
                    () -> state.statusText() + "\n" + unit.diagnostics());
            Systemd.systemctl("stop", unit.name).check();
        }
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            try (Unit unit = new Unit("auto-jetty-home-taken-" + id)) {
                unit.property("TimeoutStartSec", "40");
                unit.workingDirectory(base);
                unit.start(List.of(jdk.java().toString(), "-javaagent:" + Suite.agentJar(), "-jar",
                        home.resolve("start.jar").toString(), "jetty.http.host=127.0.0.1",
                        "jetty.http.port=" + taken.getLocalPort()));
                Unit.State state = unit.await("failed", Unit.START_TIMEOUT,
                        s -> s.is("failed") || s.is("active") || unit.endedInactive(s));
                assertFalse(unit.sawActiveState("active"), unit::diagnostics);
                assertFalse(state.statusText().startsWith("Ready"), unit::diagnostics);
                assertTrue(unit.stderr().contains("sd-agent: Jetty failed: "), unit::diagnostics);
            }
        }
    }

    /**
     * A vendor's shaded standalone jar under systemd: WireMock's, which carries Jetty relocated to
     * {@code wiremock.org.eclipse.jetty}, run as {@code java -jar wiremock-standalone.jar --port P}, no ready= option.
     * Active once it serves (its admin API answers), the status names the relocated Jetty; port taken: never ready.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void shadedVendorJarWireMock(Jdk jdk) throws Exception {
        Path jar = Suite.path("it.wiremock.jar");
        int port = Net.freePort();
        try (Unit unit = new Unit("auto-wiremock-" + jdk.id())) {
            unit.workingDirectory(Files.createTempDirectory(Files.createDirectories(Suite.logsDir()), "wiremock-" + jdk.id() + "-"));
            unit.start(wireMock(jdk, jar, port));
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            int answered = httpStatus(port, "/__admin/mappings"); // at once
            assertEquals("active", state.active(), unit::diagnostics);
            assertEquals(200, answered, unit::diagnostics);
            assertTrue(state.statusText().matches(
                            "Ready in [0-9]+\\.[0-9]{2} s: Jetty relocated in wiremock-standalone-[0-9.]+\\.jar on :" + port),
                    () -> state.statusText() + "\n" + unit.diagnostics());
            Systemd.systemctl("stop", unit.name).check();
        }
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            try (Unit unit = new Unit("auto-wiremock-taken-" + jdk.id())) {
                unit.property("TimeoutStartSec", "40");
                unit.workingDirectory(Files.createTempDirectory(Suite.logsDir(), "wiremock-taken-" + jdk.id() + "-"));
                unit.start(wireMock(jdk, jar, taken.getLocalPort()));
                Unit.State state = unit.await("failed", Unit.START_TIMEOUT,
                        s -> s.is("failed") || s.is("active") || unit.endedInactive(s));
                assertFalse(unit.sawActiveState("active"), unit::diagnostics);
                assertFalse(state.statusText().startsWith("Ready"), unit::diagnostics);
                assertTrue(unit.stderr().contains("sd-agent: Jetty failed: "), unit::diagnostics);
            }
        }
    }

    private static List<String> wireMock(Jdk jdk, Path jar, int port) {
        List<String> command = new ArrayList<>(List.of(jdk.java().toString()));
        command.addAll(jdk.strictFlags());
        command.addAll(List.of("-javaagent:" + Suite.agentJar(), "-jar", jar.toString(),
                "--port", Integer.toString(port), "--bind-address", "127.0.0.1", "--disable-banner"));
        return command;
    }

    /**
     * {@code ready=log:} against Log4j 2's console appender (the gRPC sample logs through log4j-core's
     * ConsoleAppender, which keeps the System.out it found when it was built): READY when "listening on port N" is
     * logged, and the app's output is complete, once, and in order.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void logConditionThroughLog4jConsoleAppender(Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Unit unit = new Unit("auto-log4j-" + jdk.id())) {
            unit.env("PORT", Integer.toString(port)).env("SAMPLE_START_DELAY_MS", "1500");
            unit.startApp(jdk, App.GRPC, "ready=log:gRPC server listening on port [0-9]+", jdk.strictFlags());
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            Net.http2Settings(port); // at once: the line is logged after start() returned
            assertEquals("active", state.active(), unit::diagnostics);
            assertTrue(state.statusText().startsWith("Ready in ")
                    && state.statusText().endsWith(" s (log:gRPC server listening on port [0-9]+)"), unit::diagnostics);
            Systemd.systemctl("stop", unit.name).check();
            List<String> lines = new ArrayList<>();
            for (String line : unit.stdout().split("\n")) {
                if (line.contains(" GrpcApp - ")) {
                    lines.add(line.substring(line.indexOf(" GrpcApp - ") + 11));
                }
            }
            assertEquals(List.of("line 1: starting", "line 2: building the server",
                    "line 3: gRPC server listening on port " + port, "line 4: serving"), lines, unit::diagnostics);
        }
    }

    /**
     * No preset applies: the H2 database server as an operator starts it ({@code java -cp h2.jar org.h2.tools.Server
     * -tcp -tcpPort P1 -web -webPort P2 -pg -pgPort P3}), three listeners opened one after the other by the main
     * thread, which then returns. auto's listener fallback is READY only once all three are up, and names them.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void h2ServerWithThreeListenersByTheFallback(Jdk jdk) throws Exception {
        int tcp = Net.freePort();
        int web = Net.freePort();
        int pg = Net.freePort();
        try (Unit unit = new Unit("auto-h2-" + jdk.id())) {
            unit.workingDirectory(Files.createTempDirectory(Files.createDirectories(Suite.logsDir()), "h2-" + jdk.id() + "-"));
            List<String> command = new ArrayList<>(List.of(jdk.java().toString()));
            command.addAll(jdk.strictFlags());
            command.addAll(List.of("-javaagent:" + Suite.agentJar(), "-cp", Suite.path("it.h2.jar").toString(),
                    "org.h2.tools.Server", "-tcp", "-tcpPort", Integer.toString(tcp), "-web", "-webPort",
                    Integer.toString(web), "-pg", "-pgPort", Integer.toString(pg)));
            unit.start(command);
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            for (int port : new int[] {tcp, pg}) { // at once: every listener is up at READY
                try (java.net.Socket connected = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                    assertTrue(connected.isConnected());
                }
            }
            int answered = httpStatus(web);
            assertEquals("active", state.active(), unit::diagnostics);
            assertEquals(200, answered, unit::diagnostics);
            String status = state.statusText();
            assertTrue(status.matches("Ready in [0-9]+\\.[0-9]{2} s: listening on :[0-9]+, :[0-9]+, :[0-9]+")
                    && status.contains(":" + tcp) && status.contains(":" + web) && status.contains(":" + pg),
                    () -> status + "\n" + unit.diagnostics());
            Systemd.systemctl("stop", unit.name).check();
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    /** The HTTP status {@code GET /} answers (any status: the server is serving). */
    private static int httpStatus(int port) throws Exception {
        return httpStatus(port, "/");
    }

    private static int httpStatus(int port, String path) throws Exception {
        java.net.http.HttpResponse<Void> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        return response.statusCode();
    }
}
