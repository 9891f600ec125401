package io.github.sdagent.agent;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Readiness sees listeners that bind outside the JDK's classic channels, in forked JVMs (JDK 17 and 25) with a notify
 * receiver of our own: a server on Netty's native epoll transport (without ServerBootstrap, so no preset applies)
 * and an AsynchronousServerSocketChannel, each with {@code ready=listen:PORT} and with ready=auto's listener fallback;
 * and fdstore=on storing the epoll listener.
 */
class NativeListenersIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** The test classes and the Netty jars (test dependencies) of this test's class path. */
    static String classpath() {
        StringBuilder path = new StringBuilder(ForkedJvm.testClasspath());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.contains(File.separator + "io" + File.separator + "netty" + File.separator)) {
                path.append(File.pathSeparator).append(entry);
            }
        }
        return path.toString();
    }

    @ParameterizedTest
    @CsvSource({"17,epoll,listen", "25,epoll,listen", "17,epoll,auto", "25,epoll,auto", "17,async,listen",
            "25,async,auto"})
    void readinessSeesTheListener(String version, String mode, String ready) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String options = ready.equals("listen") ? "=ready=listen:" + port : "";
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, version.equals("17") ? ForkedJvm.JDK17 : ForkedJvm.JDK25,
                     Arrays.asList("-javaagent:" + ForkedJvm.agentJar() + options, "-cp", classpath()),
                     "io.github.sdagent.agent.activation.AdoptionProbe",
                     Arrays.asList(mode, "127.0.0.1", Integer.toString(port)),
                     Collections.singletonMap("NOTIFY_SOCKET", receiver.path().toString()))) {
            List<String> seen = new ArrayList<>();
            String message = receiver.awaitContaining("READY=1", WAIT, seen);
            assertNotNull(message, "no READY=1; got " + seen + "\n" + app.stdout() + app.stderr());
            app.awaitStdout(mode + " bound /127.0.0.1:" + port, WAIT); // listen: may be READY before the print
            if (ready.equals("auto")) {
                assertTrue(message.contains("STATUS=Ready in ") && message.contains("listening on 127.0.0.1:" + port),
                        message);
            }
            try (Socket client = new Socket()) { // READY=1 means served: the probe answers and exits
                client.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                client.setSoTimeout(60_000);
                InputStream in = client.getInputStream();
                String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
                assertTrue(reply.equals("hello " + mode + " local=/127.0.0.1:" + port), reply);
            }
            app.waitFor(WAIT);
        }
    }

    /** fdstore=on stores the Netty epoll listener: FDSTORE=1 with FDNAME=tcp-PORT reaches the notify socket. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"17", "25"})
    void fdstoreStoresTheEpollListener(String version) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, version.equals("17") ? ForkedJvm.JDK17 : ForkedJvm.JDK25,
                     Arrays.asList("-javaagent:" + ForkedJvm.agentJar() + "=fdstore=on,ready=listen:" + port, "-cp",
                             classpath()),
                     "io.github.sdagent.agent.activation.AdoptionProbe",
                     Arrays.asList("epoll", "127.0.0.1", Integer.toString(port)),
                     Collections.singletonMap("NOTIFY_SOCKET", receiver.path().toString()))) {
            List<String> seen = new ArrayList<>();
            String stored = receiver.awaitContaining("FDSTORE=1", WAIT, seen);
            assertNotNull(stored, "no FDSTORE=1; got " + seen + "\n" + app.stdout() + app.stderr());
            assertTrue(stored.contains("FDNAME=tcp-" + port), stored);
            app.awaitStdout("epoll bound /127.0.0.1:" + port, WAIT);
            assertTrue(app.stderr().contains("fdstore: netty-native socket /127.0.0.1:" + port
                    + " handed to systemd's file descriptor store as 'tcp-" + port + "'"), app.stderr());
            try (Socket client = new Socket()) { // let the probe answer and exit
                client.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                client.setSoTimeout(60_000);
                client.getInputStream().readAllBytes();
            }
            app.waitFor(WAIT);
        }
    }
}
