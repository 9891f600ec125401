package io.github.sdagent.agent;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * ready=auto with two servers that the main thread starts one after the other, a second of work apart, with nothing
 * enclosing both (Apache Artemis: Netty acceptors, then its Jetty console): READY waits for the main thread to
 * settle, so it comes once both serve and names both ports. Forked JVMs on JDK 17 and 25, our own notify receiver.
 */
class AutoComposeIT {

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"17", "25"})
    void aSecondServerTheMainThreadStartsLaterIsWaitedFor(String version) throws Exception {
        int first = freePort();
        int second = freePort();
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, version.equals("17") ? ForkedJvm.JDK17 : ForkedJvm.JDK25,
                     Arrays.asList("-javaagent:" + ForkedJvm.agentJar(), "-cp", ForkedJvm.testClasspath()),
                     "io.github.sdagent.agent.testapp.TwoServersApp",
                     Arrays.asList(Integer.toString(first), Integer.toString(second), "1200"),
                     Collections.singletonMap("NOTIFY_SOCKET", receiver.path().toString()))) {
            List<String> seen = new ArrayList<>();
            String ready = receiver.awaitContaining("READY=1", Duration.ofSeconds(60), seen);
            assertNotNull(ready, "no READY=1; got " + seen + "\n" + app.stderr());
            assertTrue(app.stdout().contains("second listening " + second), "READY before the second server: " + ready
                    + "\nstdout: " + app.stdout());
            assertTrue(ready.matches("(?s).*STATUS=Ready in [0-9.]+ s: JDK HttpServer on :[0-9]+, :[0-9]+.*")
                    && ready.contains(":" + first) && ready.contains(":" + second), ready);
        }
    }

    /** The listener fallback judges the real main thread even when the application renamed it (thread id 1). */
    @ParameterizedTest
    @ValueSource(strings = {"17", "25"})
    void theFallbackFindsAMainThreadThatWasRenamed(String version) throws Exception {
        int first = freePort();
        int second = freePort();
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, version.equals("17") ? ForkedJvm.JDK17 : ForkedJvm.JDK25,
                     Arrays.asList("-javaagent:" + ForkedJvm.agentJar(), "-cp", ForkedJvm.testClasspath()),
                     "io.github.sdagent.agent.testapp.RenamedMainApp",
                     Arrays.asList(Integer.toString(first), Integer.toString(second)),
                     Collections.singletonMap("NOTIFY_SOCKET", receiver.path().toString()))) {
            List<String> seen = new ArrayList<>();
            String ready = receiver.awaitContaining("READY=1", Duration.ofSeconds(60), seen);
            assertNotNull(ready, "no READY=1; got " + seen + "\n" + app.stderr());
            assertTrue(ready.contains("listening on 127.0.0.1:" + first) && ready.contains("127.0.0.1:" + second),
                    "READY before the main thread finished starting: " + seen + "\nstdout: " + app.stdout() + "\nstderr: " + app.stderr());
        }
    }
}
