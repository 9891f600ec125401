package io.github.sdagent.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What {@code unsetEnvironment=true} does and does not do, in a JVM whose real environment has NOTIFY_SOCKET:
 * core treats the variable as gone, but System.getenv and child processes still see it unless the caller
 * removes it from the ProcessBuilder's environment.
 */
class UnsetEnvironmentTest {
    @TempDir
    Path dir;

    @Test
    void unsetHidesTheVariableFromCoreButNotFromChildren() throws Exception {
        try (Receiver r = Receiver.atPath(dir)) {
            Processes.Result result = Processes.run(Processes.javaMain("unset"),
                    Map.of("NOTIFY_SOCKET", r.notifySocket()), Duration.ofSeconds(60));
            assertEquals("sent=true\nagain=false\nDaemon.notifySocket=null\nSystem.getenv=true\nchild=set\n"
                    + "cleaned-child=unset\n", result.output());
            assertEquals("READY=1", r.receive(Duration.ofSeconds(5)).text());
            r.assertNothingWithin(Duration.ofMillis(200));
        }
    }
}
