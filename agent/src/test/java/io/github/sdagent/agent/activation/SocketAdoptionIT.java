package io.github.sdagent.agent.activation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Socket adoption in a forked JVM with the packaged agent, under systemd's own {@code systemd-socket-activate}
 * (real LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES; the JVM starts with the first connection): {@link AdoptionProbe}
 * binds as an ordinary server would, and what it answers and prints shows whether its bind got the inherited socket.
 * Every test runs on JDK 17 and JDK 25.
 */
public class SocketAdoptionIT {

    static final String JDK17 = System.getProperty("java.home");
    static final String JDK25 = System.getProperty("sdagent.test.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64");
    /** Unpacked by integration-tests/jdk11.sh (Debian bullseye's openjdk-11; .ci/run exports SDAGENT_JDK11). */
    static final String JDK11 = System.getenv().getOrDefault("SDAGENT_JDK11",
            "/var/tmp/sd-agent-jdk11/root/usr/lib/jvm/java-11-openjdk-amd64");
    static final int TIMEOUT_MS = 120_000;

    @TempDir
    Path dir;

    /** A running {@code systemd-socket-activate ... java -javaagent ... AdoptionProbe ...}. */
    final class Activated implements AutoCloseable {
        final Process process;
        final Path out = dir.resolve("out.txt");
        final Path err = dir.resolve("err.txt");

        Activated(String jdk, List<String> activateOptions, String agentOptions, String... probeArgs) throws IOException {
            Path activate = Paths.get("/usr/bin/systemd-socket-activate");
            if (!Files.isExecutable(activate)) {
                if ("1".equals(System.getenv("SDAGENT_REQUIRE_SYSTEMD"))) {
                    throw new AssertionError(activate + " is missing (SDAGENT_REQUIRE_SYSTEMD=1)");
                }
                Assumptions.abort(activate + " is missing (Debian package systemd)");
            }
            Path agent = Paths.get(System.getProperty("sdagent.test.agent.jar", "target/sd-agent.jar")).toAbsolutePath();
            List<String> command = new ArrayList<>();
            command.add(activate.toString());
            command.addAll(activateOptions);
            command.add(jdk + File.separator + "bin" + File.separator + "java");
            command.add("-javaagent:" + agent + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
            command.addAll(Arrays.asList("-cp", probeClasspath(), AdoptionProbe.class.getName()));
            command.addAll(Arrays.asList(probeArgs));
            ProcessBuilder builder = new ProcessBuilder(command);
            for (String key : new String[] {"NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
                    "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"}) {
                builder.environment().remove(key);
            }
            process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        }

        /** Connects (retrying until systemd-socket-activate listens) and returns the first line answered. */
        String request(int port) throws Exception {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (Socket client = new Socket()) {
                    client.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    client.setSoTimeout(TIMEOUT_MS);
                    InputStream in = client.getInputStream();
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
                } catch (java.net.ConnectException notYetListening) {
                    if (System.nanoTime() > end || !process.isAlive()) {
                        throw new AssertionError("cannot connect to " + port + "\n" + diagnostics(), notYetListening);
                    }
                    Thread.sleep(50);
                }
            }
        }

        /** As {@link #request} over IPv6 loopback. */
        String request6(int port) throws Exception {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (Socket client = new Socket()) {
                    client.connect(new InetSocketAddress(InetAddress.getByName("::1"), port), 5000);
                    client.setSoTimeout(TIMEOUT_MS);
                    return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                } catch (java.net.ConnectException notYetListening) {
                    if (System.nanoTime() > end || !process.isAlive()) {
                        throw new AssertionError("cannot connect to [::1]:" + port + "\n" + diagnostics(), notYetListening);
                    }
                    Thread.sleep(50);
                }
            }
        }

        /** Waits for the probe to exit and returns its stdout. */
        String finish() throws Exception {
            assertTrue(process.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS), this::diagnostics);
            return Files.readString(out);
        }

        String stderr() throws IOException {
            return Files.readString(err);
        }

        String diagnostics() {
            try {
                return "--- stdout:\n" + Files.readString(out) + "\n--- stderr:\n" + Files.readString(err);
            } catch (IOException e) {
                return e.toString();
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** The test classes and the Netty jars (test dependencies, for EpollProbe) of this test's class path. */
    static String probeClasspath() {
        StringBuilder path = new StringBuilder(Paths.get("target/test-classes").toAbsolutePath().toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.contains(File.separator + "io" + File.separator + "netty" + File.separator)
                    || entry.contains(File.separator + "grpc-netty-shaded" + File.separator)) {
                path.append(File.pathSeparator).append(entry);
            }
        }
        return path.toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Triggers the start with a connection the probe never accepts (it fails to bind), and waits for its exit. */
    static void connectWithoutAnswer(int port) {
        new Thread(() -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end) {
                try (Socket client = new Socket()) {
                    client.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    client.setSoTimeout(TIMEOUT_MS);
                    client.getInputStream().read();
                    return;
                } catch (java.net.ConnectException notYetListening) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                } catch (IOException closed) {
                    return; // the probe exits without answering
                }
            }
        }).start();
    }

    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void serverSocketGetsTheInheritedSocket(String version) throws Exception {
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-l", "127.0.0.1:" + port), "",
                "server-socket", "127.0.0.1", Integer.toString(port))) {
            assertEquals("hello server-socket local=/127.0.0.1:" + port, probe.request(port), probe::diagnostics);
            String out = probe.finish();
            assertTrue(out.contains("fd3-cloexec=true"), "inherited fds get FD_CLOEXEC\n" + probe.diagnostics());
            assertTrue(probe.stderr().contains("sd-agent: socket activation: the server-socket bind to 127.0.0.1:"
                    + port + " uses inherited socket 'unknown' (fd 3, 127.0.0.1:" + port + ")"), probe::diagnostics);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void dualStackChannelOnTheWildcardTakesAnIpv4Socket(String version) throws Exception {
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-l", "127.0.0.1:" + port), "",
                "channel", "*", Integer.toString(port))) {
            assertEquals("hello channel local=/127.0.0.1:" + port, probe.request(port), probe::diagnostics);
            assertTrue(probe.finish().contains("channel bound /127.0.0.1:" + port), probe::diagnostics);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void closedAndReboundChannelGetsTheSocketAgain(String version) throws Exception {
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-l", "127.0.0.1:" + port), "",
                "rebind", "127.0.0.1", Integer.toString(port))) {
            assertEquals("hello rebind local=/127.0.0.1:" + port, probe.request(port), probe::diagnostics);
            String out = probe.finish();
            assertTrue(out.contains("first bind /127.0.0.1:" + port) && out.contains("rebind bound /127.0.0.1:" + port),
                    probe::diagnostics);
        }
    }

    /**
     * Netty's native epoll transport (4.2: the channel joins the event loop's epoll set once active, after its bind):
     * the bind gets the inherited socket and the event loop accepts the first connection, queued before the JVM ran.
     */
    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void nettyEpollServerGetsTheInheritedSocket(String version) throws Exception {
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-l", "127.0.0.1:" + port), "",
                "epoll", "127.0.0.1", Integer.toString(port))) {
            assertEquals("hello epoll local=/127.0.0.1:" + port, probe.request(port), probe::diagnostics);
            String out = probe.finish();
            assertTrue(out.contains("epoll bound /127.0.0.1:" + port), probe::diagnostics);
            assertTrue(probe.stderr().contains("sd-agent: socket activation: the netty-native bind to 127.0.0.1:"
                    + port + " uses inherited socket 'unknown' (fd 3, 127.0.0.1:" + port + ")"), probe::diagnostics);
        }
    }

    /**
     * Netty's epoll socket class defined by a loader that does not delegate the agent's packages (an OSGi bundle, a
     * JBoss module): its rewritten bind reaches the bridge through a forwarder defined in that loader, and the
     * first connection is served from the inherited socket. Before, the bind threw NoClassDefFoundError.
     */
    @ParameterizedTest
    @ValueSource(strings = {"17", "25"})
    void nettyEpollInABundleLikeLoaderGetsTheInheritedSocket(String version) throws Exception {
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-l", "127.0.0.1:" + port), "",
                "bundle-epoll", "127.0.0.1", Integer.toString(port))) {
            assertEquals("hello epoll local=/127.0.0.1:" + port, probe.request(port), probe::diagnostics);
            assertTrue(probe.finish().contains("epoll bound /127.0.0.1:" + port), probe::diagnostics);
            assertTrue(probe.stderr().contains("the netty-native bind to 127.0.0.1:" + port + " uses inherited socket"),
                    probe::diagnostics);
        }
    }

    /** SO_RCVBUF set on the application's socket before its bind lands on the inherited socket that replaces it. */
    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void optionsSetBeforeTheBindAreCarriedOver(String version) throws Exception {
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-l", "127.0.0.1:" + port), "",
                "options", "127.0.0.1", Integer.toString(port))) {
            assertEquals("hello options local=/127.0.0.1:" + port, probe.request(port), probe::diagnostics);
            String out = probe.finish();
            java.util.regex.Matcher expected = java.util.regex.Pattern.compile("expected rcvbuf (\\d+)").matcher(out);
            assertTrue(expected.find(), probe::diagnostics);
            assertTrue(out.contains("bound rcvbuf " + expected.group(1)), probe::diagnostics);
            assertTrue(probe.stderr().contains("socket activation: options the application set before binding, now on "
                    + "inherited socket 'unknown' (fd 3, 127.0.0.1:" + port + "): SO_RCVBUF=" + expected.group(1)),
                    probe::diagnostics); // the JDK reports half of Linux's doubled value: what was set
        }
    }

    /**
     * A relocated Netty 4.1 (grpc-netty-shaded 1.85.1, {@code io.grpc.netty.shaded.io.netty.channel.unix.Socket},
     * with its own native library) found by the same name test, served from the inherited socket.
     */
    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void relocatedNetty41EpollServerGetsTheInheritedSocket(String version) throws Exception {
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-l", "127.0.0.1:" + port), "",
                "shaded-epoll", "127.0.0.1", Integer.toString(port))) {
            assertEquals("hello shaded-epoll local=/127.0.0.1:" + port, probe.request(port), probe::diagnostics);
            assertTrue(probe.finish().contains("shaded-epoll bound /127.0.0.1:" + port), probe::diagnostics);
            assertTrue(probe.stderr().contains("the netty-native bind to 127.0.0.1:" + port + " uses inherited socket"),
                    probe::diagnostics);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void asynchronousServerChannelGetsTheInheritedSocket(String version) throws Exception {
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-l", "127.0.0.1:" + port), "",
                "async", "*", Integer.toString(port))) {
            assertEquals("hello async local=/127.0.0.1:" + port, probe.request(port), probe::diagnostics);
            assertTrue(probe.finish().contains("async bound /127.0.0.1:" + port), probe::diagnostics);
            assertTrue(probe.stderr().contains("the async-server-socket-channel bind to "), probe::diagnostics);
        }
    }

    /** dup2 replaces the file an epoll registration belongs to: the agent registers the new one the same way. */
    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void channelInASelectorBeforeItBindsStillGetsItsConnections(String version) throws Exception {
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-l", "127.0.0.1:" + port), "",
                "registered-first", "127.0.0.1", Integer.toString(port))) {
            assertEquals("hello registered-first local=/127.0.0.1:" + port, probe.request(port), probe::diagnostics);
            probe.finish();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void namedSocketsServeTheMappedPorts(String version) throws Exception {
        int web = freePort();
        int admin = freePort();
        int askedWeb = freePort();
        int askedAdmin = freePort();
        try (Activated probe = new Activated(jdk(version),
                List.of("-l", "127.0.0.1:" + web, "-l", "127.0.0.1:" + admin, "--fdname=web:admin"),
                "sockets=admin:" + askedAdmin + "+web:" + askedWeb,
                "channel", "127.0.0.1", Integer.toString(askedWeb), Integer.toString(askedAdmin))) {
            assertEquals("hello channel local=/127.0.0.1:" + web, probe.request(web), probe::diagnostics);
            assertEquals("hello channel local=/127.0.0.1:" + admin, probe.request(admin), probe::diagnostics);
            probe.finish();
            assertTrue(probe.stderr().contains("uses inherited socket 'admin' (fd 4, 127.0.0.1:" + admin + ")"),
                    probe::diagnostics);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void socketsOffLeavesTheBindAlone(String version) throws Exception {
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-l", "127.0.0.1:" + port), "sockets=off",
                "channel", "127.0.0.1", Integer.toString(port))) {
            connectWithoutAnswer(port);
            String out = probe.finish();
            assertTrue(out.contains("bind failed: java.net.BindException: Address already in use"), probe::diagnostics);
            assertTrue(!probe.stderr().contains("socket activation"), probe::diagnostics);
        }
    }

    /**
     * java.net.ServerSocket on its classic implementation (PlainSocketImpl: JDK 11's default, JDK 17's with
     * -Djdk.net.usePlainSocketImpl), bound to the wildcard: it gets the inherited socket. The class-load log proves
     * which implementation ran.
     */
    @ParameterizedTest
    @ValueSource(strings = {"11", "17"})
    void classicServerSocketGetsTheInheritedSocket(String version) throws Exception {
        int port = freePort();
        Path classes = dir.resolve("classes.txt");
        try (Activated probe = new Activated(classicJdk(version), List.of("-l", "127.0.0.1:" + port, "-E",
                "JDK_JAVA_OPTIONS=-Djdk.net.usePlainSocketImpl=true -Xlog:class+load=info:file=" + classes), "",
                "server-socket", "*", Integer.toString(port))) {
            // the address asked for, as the native bind and JDK 13+'s NioSocketImpl report it
            assertEquals("hello server-socket local=0.0.0.0/0.0.0.0:" + port, probe.request(port), probe::diagnostics);
            assertTrue(probe.finish().contains("server-socket bound 0.0.0.0/0.0.0.0:" + port), probe::diagnostics);
            assertTrue(probe.stderr().contains("sd-agent: socket activation: the server-socket bind to 0.0.0.0:" + port
                    + " uses inherited socket 'unknown' (fd 3, 127.0.0.1:" + port + ")"), probe::diagnostics);
            String log = Files.readString(classes);
            assertTrue(log.contains("java.net.PlainSocketImpl ") && !log.contains("sun.nio.ch.NioSocketImpl "),
                    "the classic implementation ran");
        }
    }

    /** java.net.DatagramSocket on its classic implementation (JDK 11; JDK 17 with -Djdk.net.usePlainDatagramSocketImpl). */
    @ParameterizedTest
    @ValueSource(strings = {"11", "17"})
    void classicDatagramSocketGetsTheInheritedDatagramSocket(String version) throws Exception {
        int port = freePort();
        Path classes = dir.resolve("classes.txt");
        try (Activated probe = new Activated(classicJdk(version), List.of("-d", "-l", "127.0.0.1:" + port, "-E",
                "JDK_JAVA_OPTIONS=-Djdk.net.usePlainDatagramSocketImpl=true -Xlog:class+load=info:file=" + classes), "",
                "datagram-socket", "*", Integer.toString(port))) {
            pingUntilItEnds(probe, port);
            String out = probe.finish();
            assertTrue(out.contains("datagram-socket bound /127.0.0.1:" + port), probe::diagnostics);
            assertTrue(out.contains("datagram-socket received ping"), probe::diagnostics);
            assertTrue(Files.readString(classes).contains("java.net.PlainDatagramSocketImpl "),
                    "the classic implementation ran");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void listenPidOfAnotherProcessIsIgnored(String version) throws Exception {
        int port = freePort();
        // The agent is active (NOTIFY_SOCKET is set: nobody listens there), but LISTEN_PID names pid 1.
        try (Activated probe = new Activated(jdk(version), List.of("-l", "127.0.0.1:" + port, "-E", "LISTEN_PID=1",
                "-E", "NOTIFY_SOCKET=@sdt-act-nobody-" + port), "",
                "channel", "127.0.0.1", Integer.toString(port))) {
            connectWithoutAnswer(port);
            String out = probe.finish();
            assertTrue(out.contains("bind failed: java.net.BindException: Address already in use"), probe::diagnostics);
            assertTrue(!probe.stderr().contains("socket activation"), probe::diagnostics);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void datagramChannelGetsTheInheritedDatagramSocket(String version) throws Exception {
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-d", "-l", "127.0.0.1:" + port), "",
                "datagram", "*", Integer.toString(port))) {
            Thread.sleep(500); // systemd-socket-activate binds first; a datagram sent before is lost, so resend
            pingUntilItEnds(probe, port);
            String out = probe.finish();
            assertTrue(out.contains("datagram bound /127.0.0.1:" + port), probe::diagnostics);
            assertTrue(out.contains("datagram received ping"), probe::diagnostics);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void datagramSocketGetsTheInheritedDatagramSocket(String version) throws Exception {
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-d", "-l", "127.0.0.1:" + port), "",
                "datagram-socket", "127.0.0.1", Integer.toString(port))) {
            pingUntilItEnds(probe, port);
            String out = probe.finish();
            assertTrue(out.contains("datagram-socket bound /127.0.0.1:" + port), probe::diagnostics);
            assertTrue(out.contains("datagram-socket received ping"), probe::diagnostics);
        }
    }

    /** Netty's io_uring transport binds through the same io.netty.channel.unix.Socket: served from the inherited socket. */
    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void nettyIoUringServerGetsTheInheritedSocket(String version) throws Exception {
        // a kernel or container (seccomp) without io_uring cannot run this transport at all: say so, do not fail
        Assumptions.assumeTrue(io.netty.channel.uring.IoUring.isAvailable(),
                () -> "io_uring is not available here: " + io.netty.channel.uring.IoUring.unavailabilityCause());
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-l", "127.0.0.1:" + port), "",
                "io_uring", "127.0.0.1", Integer.toString(port))) {
            assertEquals("hello io_uring local=/127.0.0.1:" + port, probe.request(port), probe::diagnostics);
            assertTrue(probe.finish().contains("io_uring bound /127.0.0.1:" + port), probe::diagnostics);
            assertTrue(probe.stderr().contains("the netty-native bind to 127.0.0.1:" + port + " uses inherited socket"),
                    probe::diagnostics);
        }
    }

    /** Netty's EpollDatagramChannel: its bind (no listen) gets the inherited datagram socket (SO_TYPE tells). */
    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void nettyEpollDatagramChannelGetsTheInheritedDatagramSocket(String version) throws Exception {
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-d", "-l", "127.0.0.1:" + port), "",
                "epoll-datagram", "127.0.0.1", Integer.toString(port))) {
            pingUntilItEnds(probe, port);
            String out = probe.finish();
            assertTrue(out.contains("epoll-datagram bound /127.0.0.1:" + port), probe::diagnostics);
            assertTrue(out.contains("epoll-datagram received ping"), probe::diagnostics);
            assertTrue(probe.stderr().contains("the netty-native-datagram bind to 127.0.0.1:" + port
                    + " uses inherited socket"), probe::diagnostics);
        }
    }

    /** An IPv6 socket ({@code -l [::1]:PORT}) serves the JDK's channel bound to ::1. */
    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void ipv6SocketServesAnIpv6Bind(String version) throws Exception {
        int port = freePort();
        try (Activated probe = new Activated(jdk(version), List.of("-l", "[::1]:" + port), "",
                "channel", "::1", Integer.toString(port))) {
            String reply = probe.request6(port);
            // InetSocketAddress.toString puts IPv6 literals in brackets since JDK 14
            String local = version.equals("11") ? "/0:0:0:0:0:0:0:1:" : "/[0:0:0:0:0:0:0:1]:";
            assertEquals("hello channel local=" + local + port, reply, probe::diagnostics);
            probe.finish();
        }
    }

    /**
     * Without LISTEN_FDS, fdstore=, a listen: term or ready=auto (the agent active through NOTIFY_SOCKET, with an
     * explicit ready= hook or ready=start), nothing of the interception loads or weaves.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"11,ready=start", "17,ready=start", "25,ready=start",
            "11,ready=io.github.sdagent.agent.activation.AdoptionProbe#main",
            "17,ready=io.github.sdagent.agent.activation.AdoptionProbe#main",
            "25,ready=io.github.sdagent.agent.activation.AdoptionProbe#main"})
    void withoutListenFdsNothingOfItLoads(String version, String ready) throws Exception {
        String log = runWithClassLoadLog(version, ready);
        for (String line : log.split("\n")) {
            assertTrue(!line.contains("io.github.sdagent.agent.activation.") && !line.contains("bridge.listen.")
                    || line.contains("activation.AdoptionProbe")
                    && !line.contains("ActivationStart") && !line.contains("io.github.sdagent.core.Sockets"), line);
        }
    }

    /** ready=auto (the default) observes listeners for its fallback: then the interception is installed. */
    @ParameterizedTest
    @ValueSource(strings = {"11", "17", "25"})
    void readyAutoInstallsTheInterceptionForItsFallback(String version) throws Exception {
        String log = runWithClassLoadLog(version, null);
        assertTrue(log.contains("io.github.sdagent.agent.bridge.listen.ListenBridge "), log);
        assertTrue(log.contains("io.github.sdagent.agent.ready.ListenerReadiness "), log);
    }

    /** Runs AdoptionProbe (one channel on a free port, one connection) under the agent; its class-load log. */
    private String runWithClassLoadLog(String version, String agentOptions) throws Exception {
        int port = freePort();
        Path agent = Paths.get(System.getProperty("sdagent.test.agent.jar", "target/sd-agent.jar")).toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(jdk(version) + "/bin/java", "-Xlog:class+load=info",
                "-javaagent:" + agent + (agentOptions == null ? "" : "=" + agentOptions), "-cp", Paths.get("target/test-classes").toAbsolutePath().toString(),
                AdoptionProbe.class.getName(), "channel", "127.0.0.1", Integer.toString(port));
        for (String key : new String[] {"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "JAVA_TOOL_OPTIONS"}) {
            builder.environment().remove(key);
        }
        builder.environment().put("NOTIFY_SOCKET", "@sdt-act-nobody-" + port);
        Path out = dir.resolve("classes.txt");
        Process process = builder.redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            String reply = null;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // the agent starts alongside the app: let it get past the point where it would start socket activation
            while (!read(out).contains("io.github.sdagent.agent.hooks.ProcessBuilderScrubbing ")) {
                assertTrue(System.nanoTime() < end && process.isAlive(), () -> read(out));
                Thread.sleep(50);
            }
            Thread.sleep(500);
            while (reply == null) {
                try (Socket client = new Socket()) {
                    client.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    client.setSoTimeout(TIMEOUT_MS);
                    reply = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                } catch (java.net.ConnectException notYet) {
                    assertTrue(System.nanoTime() < end && process.isAlive(), () -> read(out));
                    Thread.sleep(50);
                }
            }
            assertEquals("hello channel local=/127.0.0.1:" + port, reply);
            assertTrue(process.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS));
            String log = read(out);
            assertTrue(log.contains("io.github.sdagent.agent.AgentMain "), "the agent ran: " + log);
            assertTrue(log.contains("sun.nio.ch.ServerSocketChannelImpl"), log);
            return log;
        } finally {
            process.destroyForcibly();
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** JDK 11, or a JDK 17 (the last with the classic implementations) also when this test runs on JDK 25. */
    private static String classicJdk(String version) {
        return version.equals("17") && Runtime.version().feature() != 17 ? "/usr/lib/jvm/java-17-openjdk-amd64"
                : jdk(version);
    }

    public static String jdk(String version) {
        String home = version.equals("17") ? JDK17 : version.equals("11") ? JDK11 : JDK25;
        if (!Files.isExecutable(Paths.get(home, "bin", "java"))) {
            String missing = home + " is missing" + (version.equals("11") ? " (bash integration-tests/jdk11.sh ensure)" : "");
            if ("1".equals(System.getenv("SDAGENT_REQUIRE_SYSTEMD"))) {
                throw new AssertionError(missing);
            }
            Assumptions.abort(missing);
        }
        return home;
    }

    /** Sends "ping" datagrams to 127.0.0.1:port, one a second, until the probe (which exits once it got one) ends. */
    private static void pingUntilItEnds(Activated probe, int port) throws Exception {
        try (DatagramSocket client = new DatagramSocket()) {
            byte[] ping = "ping".getBytes(StandardCharsets.UTF_8);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (probe.process.isAlive() && System.nanoTime() < end) {
                client.send(new DatagramPacket(ping, ping.length, new InetSocketAddress("127.0.0.1", port)));
                probe.process.waitFor(1, TimeUnit.SECONDS);
            }
        }
    }
}
