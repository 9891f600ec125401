package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Readiness from the application's listening sockets (issue 9), observed inside the JVM through socket activation's
 * listener registry, under the real user manager on JDK 17 and 25: {@code ready=listen:PORT} (several, with and
 * without an address) and the fallback of {@code ready=auto} when no framework preset applies.
 */
class ListenReadinessIT {

    /**
     * An app no preset knows: an ephemeral loopback listener at once (a transaction manager's), then a
     * ServerSocketChannel on args[0] three seconds later, then a ServerSocket on args[1] three seconds after that;
     * then its main thread joins for good. Each listener answers "hello PORT" to a connection.
     */
    private static final String SEVERAL_LISTENERS = String.join("\n",
            "import java.io.IOException;",
            "import java.net.*;",
            "import java.nio.channels.ServerSocketChannel;",
            "public class SeveralListeners {",
            "    public static void main(String[] args) throws Exception {",
            "        ServerSocket internal = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());",
            "        serve(internal);",
            "        System.out.println(\"ephemeral \" + internal.getLocalPort());",
            "        Thread.sleep(3000);",
            "        ServerSocketChannel first = ServerSocketChannel.open().bind(new InetSocketAddress(Integer.parseInt(args[0])));",
            "        serve(first.socket());",
            "        System.out.println(\"listening \" + args[0]);",
            "        Thread.sleep(3000);",
            "        serve(new ServerSocket(Integer.parseInt(args[1])));",
            "        System.out.println(\"listening \" + args[1]);",
            "        Thread.currentThread().join();",
            "    }",
            "    static void serve(ServerSocket server) {",
            "        new Thread(() -> {",
            "            while (true) {",
            "                try (Socket client = server.accept()) {",
            "                    client.getOutputStream().write((\"hello \" + server.getLocalPort() + \"\\n\").getBytes());",
            "                } catch (IOException e) {",
            "                    return;",
            "                }",
            "            }",
            "        }).start();",
            "    }",
            "}", "");

    private static Path app;

    @BeforeAll
    static void writeApp() throws Exception {
        Path dir = Files.createTempDirectory("sdt-listen-app");
        app = dir.resolve("SeveralListeners.java");
        Files.writeString(app, SEVERAL_LISTENERS);
    }

    @AfterAll
    static void removeApp() throws Exception {
        Files.deleteIfExists(app);
        Files.deleteIfExists(app.getParent());
    }

    private static String hello(int port) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    private static void startSeveralListeners(Unit unit, Jdk jdk, String agentOptions, int first, int second)
            throws Exception {
        String agent = "-javaagent:" + Suite.agentJar() + (agentOptions.isEmpty() ? "" : "=" + agentOptions);
        unit.start(List.of(jdk.java().toString(), agent, app.toString(), Integer.toString(first),
                Integer.toString(second)));
    }

    /**
     * No framework, no ready=: READY only after the last listener, never on the early ephemeral loopback one, and
     * the status names the counted ports (so READY came after the second one opened, six seconds in).
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void autoFallbackIsReadyOnlyAfterTheLastListener(Jdk jdk) throws Exception {
        int first = Net.freePort();
        int second = Net.freePort();
        try (Unit unit = new Unit("listen-auto-" + jdk.id())) {
            startSeveralListeners(unit, jdk, "", first, second);
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            assertEquals("active", state.active(), unit::diagnostics);
            assertEquals("hello " + first, hello(first));
            assertEquals("hello " + second, hello(second));
            assertTrue(state.statusText().matches("Ready in [0-9.]+ s: listening on :" + first + ", :" + second),
                    unit::diagnostics);
            Matcher ephemeral = Pattern.compile("ephemeral (\\d+)").matcher(unit.stdout());
            assertTrue(ephemeral.find(), unit::diagnostics);
            assertFalse(state.statusText().contains(":" + ephemeral.group(1)), unit::diagnostics);
            Systemd.systemctl("stop", unit.name).check();
        }
    }

    /** listen: terms, one with an address: READY once both listen, named in the status. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void severalListenTermsWaitForEachPort(Jdk jdk) throws Exception {
        int first = Net.freePort();
        int second = Net.freePort();
        try (Unit unit = new Unit("listen-terms-" + jdk.id())) {
            startSeveralListeners(unit, jdk, "ready=listen:127.0.0.1:" + first + "+listen:" + second, first, second);
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            assertEquals("active", state.active(), unit::diagnostics);
            assertEquals("hello " + second, hello(second));
            assertTrue(state.statusText().startsWith("Ready in ")
                    && state.statusText().contains("listening on :" + first)
                    && state.statusText().contains("listening on :" + second), unit::diagnostics);
            Systemd.systemctl("stop", unit.name).check();
        }
    }

    /** listen:PORT on a real server (Vert.x on Netty, started late) whose internals the test does not use. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void listenPortOnAnAppWhoseInternalsAreUnknown(Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Unit unit = new Unit("listen-vertx-" + jdk.id())) {
            unit.env("PORT", Integer.toString(port)).env("SAMPLE_START_DELAY_MS", "1500");
            unit.startApp(jdk, App.VERTX, "ready=listen:" + port, jdk.strictFlags());
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            String body = Net.get(port);
            assertEquals("active", state.active(), unit::diagnostics);
            assertTrue(body.startsWith(App.VERTX.greeting()), body);
            // the sample binds 127.0.0.1: "Ready in 2.50 s (listening on 127.0.0.1:37775)"
            assertTrue(state.statusText().matches("Ready in [0-9.]+ s \\(listening on 127\\.0\\.0\\.1:" + port + "\\)"),
                    unit::diagnostics);
            Systemd.systemctl("stop", unit.name).check();
        }
    }

    /** A listen: condition that never comes true: activating until TimeoutStartSec, the status naming it. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Jdk.class)
    void listenThatNeverComesTrueTimesOutSayingWhatItWaitedFor(Jdk jdk) throws Exception {
        int port = Net.freePort();
        int nobodyListens = Net.freePort();
        try (Unit unit = new Unit("listen-never-" + jdk.id())) {
            unit.property("TimeoutStartSec", "20");
            unit.env("PORT", Integer.toString(port));
            unit.startApp(jdk, App.JDK_HTTPSERVER, "ready=listen:" + nobodyListens, jdk.strictFlags());
            Unit.State state = unit.await("failed", Unit.START_TIMEOUT, s -> s.is("failed") || s.is("active"));
            assertEquals("failed", state.active(), unit::diagnostics);
            assertFalse(unit.sawActiveState("active"), unit::diagnostics);
            assertEquals("Stopping (SIGTERM) before READY; Starting (waiting for listen:" + nobodyListens + ")",
                    state.statusText(), unit::diagnostics);
        }
    }
}
