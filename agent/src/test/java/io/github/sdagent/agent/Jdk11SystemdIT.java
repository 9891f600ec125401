package io.github.sdagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sdagent.agent.activation.SocketAdoptionIT;
import io.github.sdagent.agent.testapp.BlockingServerApp;
import io.github.sdagent.agent.testapp.TinyHttpApp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent on JDK 11 (integration-tests/jdk11.sh) under the real user manager, every feature at its default: READY
 * through ready=auto, watchdog pings, STOPPING, and socket activation by a real {@code .socket} unit for both of JDK
 * 11's bind paths (java.net.ServerSocket's PlainSocketImpl, and ServerSocketChannelImpl.bind under the JDK's
 * HttpServer). The JVM runs with no option but {@code -javaagent}, as an operator would write it.
 */
class Jdk11SystemdIT {

    @TempDir
    Path dir;

    private final List<String> units = new ArrayList<>();

    @BeforeEach
    void manager() throws Exception {
        UserManager.require();
    }

    @AfterEach
    void cleanUp() {
        units.forEach(UserManager::cleanUp);
    }

    private String unit(String what) {
        String unit = "sdagent-agent-jdk11-" + what + "-" + ThreadLocalRandom.current().nextInt(1_000_000);
        units.add(unit + ".service");
        units.add(unit + ".socket");
        return unit;
    }

    private List<String> systemdRun(String unit, Path output, String... properties) {
        List<String> command = new ArrayList<>(Arrays.asList("systemd-run", "--user", "--unit=" + unit,
                "-p", "Type=notify", "-p", "SuccessExitStatus=143", "-p", "TimeoutStartSec=60",
                "-p", "StandardOutput=file:" + output, "-p", "StandardError=file:" + output));
        for (String property : properties) {
            command.add(property.startsWith("--") ? property : "-p");
            if (!property.startsWith("--")) {
                command.add(property);
            }
        }
        command.addAll(Arrays.asList(ForkedJvm.java(SocketAdoptionIT.jdk("11")), "-javaagent:" + ForkedJvm.agentJar(),
                "-cp", ForkedJvm.testClasspath()));
        return command;
    }

    @Test
    void readyWatchdogAndStopOnJdk11() throws Exception {
        String unit = unit("plain");
        Path output = dir.resolve("out.txt");
        int port = freePort();
        List<String> command = systemdRun(unit, output, "WatchdogSec=3");
        command.addAll(List.of(TinyHttpApp.class.getName(), "serve", Integer.toString(port)));
        UserManager.run(command.toArray(new String[0]));
        Map<String, String> state = UserManager.await(unit + ".service", 60_000, "active", "failed");
        assertEquals("active", state.get("ActiveState"), state + Files.readString(output));
        assertTrue(state.get("StatusText").startsWith("Ready in ") && state.get("StatusText").contains("JDK HttpServer"),
                state + Files.readString(output));
        assertTrue(get(port).contains("hello from TinyHttpApp"));

        Thread.sleep(8_000); // more than two WatchdogSec periods
        state = UserManager.show(unit + ".service");
        assertEquals("active", state.get("ActiveState"), "killed despite the agent's pings: " + state
                + Files.readString(output));
        UserManager.run("systemctl", "--user", "stop", unit + ".service");
        state = UserManager.show(unit + ".service");
        assertEquals("success", state.get("Result"), state + Files.readString(output));
        assertTrue(Files.readString(output).contains("app shutdown hook ran"), Files.readString(output));
        for (String line : Files.readString(output).split("\n")) { // e.g. the native access warning JDK 11 once got
            assertTrue(!line.startsWith("sd-agent: ") || !line.matches(".*(could not|cannot|unavailable|error|Exception).*"),
                    "no warning of the agent: " + line);
        }
    }

    /** java.net.ServerSocket (PlainSocketImpl on JDK 11), bound to the wildcard, takes systemd's socket. */
    @Test
    void socketUnitStartsAClassicServerSocketServerOnJdk11() throws Exception {
        servesOnSystemdsSocket("classic", BlockingServerApp.class.getName(), "*", "hello from BlockingServerApp",
                "the server-socket bind to 0.0.0.0:");
    }

    /** The JDK's HttpServer (ServerSocketChannelImpl.bind on JDK 11) takes systemd's socket. */
    @Test
    void socketUnitStartsTheJdkHttpServerOnJdk11() throws Exception {
        servesOnSystemdsSocket("httpserver", TinyHttpApp.class.getName(), "serve", "hello from TinyHttpApp",
                "the server-socket-channel bind to 127.0.0.1:");
    }

    private void servesOnSystemdsSocket(String what, String mainClass, String arg, String greeting, String adopted)
            throws Exception {
        String unit = unit(what);
        Path output = dir.resolve("out.txt");
        int port = freePort();
        List<String> command = systemdRun(unit, output, "--socket-property=ListenStream=127.0.0.1:" + port);
        // TinyHttpApp takes "serve PORT", BlockingServerApp "PORT *"
        command.addAll(arg.equals("serve") ? List.of(mainClass, arg, Integer.toString(port))
                : List.of(mainClass, Integer.toString(port), arg));
        UserManager.run(command.toArray(new String[0]));
        assertEquals("inactive", UserManager.show(unit + ".service").get("ActiveState"),
                "nothing started before the first connection");

        String body = get(port); // the first connection starts the service
        assertTrue(body.contains(greeting), body + Files.readString(output));
        Map<String, String> state = UserManager.await(unit + ".service", 60_000, "active", "failed");
        assertEquals("active", state.get("ActiveState"), state + Files.readString(output));
        assertTrue(state.get("StatusText").startsWith("Ready in "), state + Files.readString(output));
        String out = Files.readString(output);
        assertTrue(out.contains("sd-agent: socket activation: " + adopted + port + " uses inherited socket '" + unit
                + ".socket' (fd 3, 127.0.0.1:" + port + ")"), out);
        assertTrue(out.contains("listening on") && out.contains(":" + port), out); // what the app sees

        // /proc: the process's only listening socket on the port is systemd's, held as fd 3 and as the app's own fd
        long pid = Long.parseLong(state.get("MainPID"));
        String inode = listeningInode(port);
        int holding = 0;
        for (Path fd : (Iterable<Path>) Files.list(Paths.get("/proc/" + pid + "/fd"))::iterator) {
            try {
                if (Files.readSymbolicLink(fd).toString().equals("socket:[" + inode + "]")) {
                    holding++;
                }
            } catch (IOException closedMeanwhile) {
                // not ours
            }
        }
        assertTrue(holding >= 2, "fd 3 and the app's copy hold systemd's socket " + inode + ": " + holding);
        assertTrue(get(port).contains(greeting), "and it keeps serving");
    }

    /** The one socket listening on TCP {@code port}, from /proc/net (fails when there are several or none). */
    private static String listeningInode(int port) throws IOException {
        List<String> inodes = new ArrayList<>();
        String hexPort = String.format(":%04X", port);
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines = Files.readAllLines(Paths.get(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[1].endsWith(hexPort) && f[3].equals("0A")) {
                    inodes.add(f[9]);
                }
            }
        }
        assertEquals(1, inodes.size(), "listening sockets on " + port + ": " + inodes);
        return inodes.get(0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** One HTTP GET (HTTP/1.0, the answer read to its end), retried while the port refuses for up to 30 s. */
    private static String get(int port) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                client.setSoTimeout(90_000);
                client.getOutputStream().write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = client.getInputStream();
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.net.ConnectException refused) {
                if (System.nanoTime() > end) {
                    throw refused;
                }
                Thread.sleep(100);
            }
        }
    }
}
