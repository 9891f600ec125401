package io.github.sdagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sdagent.agent.ready.AutoReadiness;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ready=auto's listener fallback in forked JVMs (JDK 17 and 25) with a notify receiver of our own, through the real
 * bind/listen interception: a preset still starting is never pre-empted by its own early listener, and listeners on
 * port 0 are never evidence. The systemd side (several listeners seconds apart, listen:) is in the suite's
 * ListenReadinessIT.
 */
class ListenerFallbackIT {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static String home(String version) {
        return version.equals("17") ? ForkedJvm.JDK17 : ForkedJvm.JDK25;
    }

    private static List<String> agent() {
        return Arrays.asList("-javaagent:" + ForkedJvm.agentJar(), "-cp", ForkedJvm.testClasspath());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * The relocated Undertow binds at once and goes on starting for 4 s while the main thread has blocked for good:
     * the fallback's rule holds after 1 s, but READY waits for the preset and names it, not the listener.
     */
    @ParameterizedTest
    @ValueSource(strings = {"17", "25"})
    void aPresetStillStartingIsNotPreemptedByItsListener(String version) throws Exception {
        int port = freePort();
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, home(version), agent(), "io.github.sdagent.agent.testapp.SlowPresetApp",
                     Arrays.asList(Integer.toString(port), "4000"),
                     Collections.singletonMap("NOTIFY_SOCKET", receiver.path().toString()))) {
            List<String> seen = new ArrayList<>();
            String ready = receiver.awaitContaining("READY=1", WAIT, seen);
            assertNotNull(ready, "no READY=1; got " + seen + "\n" + app.stderr());
            assertTrue(app.stdout().contains("listening " + port), app.stdout());
            assertTrue(ready.matches("(?s).*STATUS=Ready in [0-9.]+ s: Undertow relocated( in \\S+\\.jar)? on :" + port + "\\b.*"), ready);
            assertFalse(String.join("\n", seen).contains("listening on"), seen.toString());
        }
    }

    /** Only port-0 listeners: never READY; the status keeps saying that no framework was found. */
    @ParameterizedTest
    @ValueSource(strings = {"17", "25"})
    void ephemeralListenersAreNeverEvidence(String version) throws Exception {
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, home(version), agent(), "io.github.sdagent.agent.testapp.EphemeralOnlyApp",
                     Collections.<String>emptyList(),
                     Collections.singletonMap("NOTIFY_SOCKET", receiver.path().toString()))) {
            app.awaitStdout("listening ", WAIT);
            List<String> seen = new ArrayList<>();
            seen.addAll(receiver.drain(Duration.ofSeconds(4))); // well past the settle window (1 s)
            assertFalse(String.join("\n", seen).contains("READY=1"), seen + "\n" + app.stderr());
            assertTrue(String.join("\n", seen).contains("STATUS=" + AutoReadiness.NOTHING_FOUND), seen.toString());
            assertEquals("", app.stderr().replaceAll("(?m)^sd-agent: internals.*\n?", ""), app.stderr());
        }
    }

    /**
     * A port the application could not bind (taken), with its other listener up and the main thread waiting: never
     * READY, and the status says which bind failed; an application that then listens on the next port is READY.
     */
    @ParameterizedTest
    @ValueSource(strings = {"17", "25"})
    void aFailedBindIsNotServing(String version) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int first = freePort();
            try (NotifyReceiver receiver = new NotifyReceiver(dir);
                 ForkedJvm app = ForkedJvm.start(dir, home(version), agent(), "io.github.sdagent.agent.testapp.PortTakenApp",
                         Arrays.asList(Integer.toString(first), Integer.toString(taken.getLocalPort())),
                         Collections.singletonMap("NOTIFY_SOCKET", receiver.path().toString()))) {
                app.awaitStdout("running ", WAIT);
                List<String> seen = new ArrayList<>(receiver.drain(Duration.ofSeconds(4))); // past the settle window
                assertFalse(String.join("\n", seen).contains("READY=1"), seen + "\n" + app.stderr());
                assertTrue(String.join("\n", seen).contains("STATUS=Starting: the bind to 127.0.0.1:" + taken.getLocalPort()
                        + " (Address already in use) failed; waiting for a server to listen"), seen.toString());
            }
            int next = freePort();
            try (NotifyReceiver receiver = new NotifyReceiver(dir);
                 ForkedJvm app = ForkedJvm.start(dir, home(version), agent(), "io.github.sdagent.agent.testapp.PortTakenApp",
                         Arrays.asList(Integer.toString(first), Integer.toString(taken.getLocalPort()), Integer.toString(next)),
                         Collections.singletonMap("NOTIFY_SOCKET", receiver.path().toString()))) {
                List<String> seen = new ArrayList<>();
                String ready = receiver.awaitContaining("READY=1", WAIT, seen);
                assertNotNull(ready, "no READY=1; got " + seen + "\n" + app.stderr());
                assertTrue(ready.contains("listening on 127.0.0.1:" + first + ", 127.0.0.1:" + next), ready);
            }
        }
    }

    /** A real JMX remote agent on a fixed port beside the application's one listener: READY names only the latter. */
    @ParameterizedTest
    @ValueSource(strings = {"17", "25"})
    void aRealJmxRemotePortIsNotEvidence(String version) throws Exception {
        int port = freePort();
        int jmx = freePort();
        List<String> jvm = new ArrayList<>(Arrays.asList("-Dcom.sun.management.jmxremote.port=" + jmx,
                "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false"));
        jvm.addAll(agent());
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, home(version), jvm, "io.github.sdagent.agent.testapp.PortTakenApp",
                     Arrays.asList(Integer.toString(port), "0"), // its second listener is on an ephemeral port
                     Collections.singletonMap("NOTIFY_SOCKET", receiver.path().toString()))) {
            List<String> seen = new ArrayList<>();
            String ready = receiver.awaitContaining("READY=1", WAIT, seen);
            assertNotNull(ready, "no READY=1; got " + seen + "\n" + app.stderr());
            assertTrue(ready.contains("STATUS=Ready in ") && ready.contains(": listening on 127.0.0.1:" + port + "\n")
                    || ready.endsWith(": listening on 127.0.0.1:" + port), ready);
            assertFalse(ready.contains(":" + jmx), ready);
            try (java.net.Socket jmxUp = new java.net.Socket("127.0.0.1", jmx)) {
                assertTrue(jmxUp.isConnected(), "the JMX agent listens on " + jmx);
            }
        }
    }
}
