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
 * Start-up progress (issue 10) with ready=auto, the default, and with a configured signal: a file whose growth counts
 * as progress. Forked JVMs on JDK 17 and 25 with our own notify receiver (what systemd does with EXTEND_TIMEOUT_USEC
 * is proven under the real manager by WatchdogSystemdIT#slowButProgressingStartOutlivesTimeoutStartSecAndHungStartTimesOut).
 */
class StartProgressIT {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"17", "25"})
    void aGrowingProgressFileExtendsTheStartUnderReadyAuto(String version) throws Exception {
        Path file = dir.resolve("migration.log");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, version.equals("17") ? ForkedJvm.JDK17 : ForkedJvm.JDK25,
                     Arrays.asList("-javaagent:" + ForkedJvm.agentJar() + "=start-progress-file=" + file,
                             "-cp", ForkedJvm.testClasspath()),
                     "io.github.sdagent.agent.testapp.QuietProgressApp", Arrays.asList(file.toString(), "5",
                             Integer.toString(port)),
                     Collections.singletonMap("NOTIFY_SOCKET", receiver.path().toString()))) {
            List<String> seen = new ArrayList<>();
            String ready = receiver.awaitContaining("READY=1", Duration.ofSeconds(60), seen);
            assertNotNull(ready, "no READY=1; got " + seen + "\n" + app.stderr());
            int readyAt = seen.indexOf(ready);
            assertTrue(seen.subList(0, readyAt).stream().anyMatch(m -> m.contains("EXTEND_TIMEOUT_USEC=10000000")),
                    "no EXTEND_TIMEOUT_USEC before READY=1 under ready=auto: " + seen + "\n" + app.stderr());
            assertTrue(app.stderr().contains(file + " changed in the last second): EXTEND_TIMEOUT_USEC=10s"),
                    app.stderr());
        }
    }
}
