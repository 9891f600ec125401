package io.github.sdagent.core;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JDK 22+ restricted-method rules, on JDK 25: a plain error when denied, no warning when enabled. */
class NativeAccessTest {
    private static final Path JDK25 = Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    private static final Map<String, String> ENV = Map.of("NOTIFY_SOCKET",
            "@sdagent-core-nobody-" + ProcessHandle.current().pid());

    @BeforeEach
    void requireJdk25() {
        if (!Files.isExecutable(JDK25)) {
            UserManager.unavailable(JDK25 + " is missing (CI installs it)");
        }
    }

    private static Processes.Result notifyOnJdk25(String... options) throws Exception {
        List<String> command = new ArrayList<>(Processes.javaMain(JDK25.toString(), false, "notify"));
        command.addAll(1, List.of(options));
        return Processes.run(command, ENV, Duration.ofSeconds(60));
    }

    @Test
    void deniedNativeAccessIsReportedPlainly() throws Exception {
        Processes.Result r = notifyOnJdk25("--illegal-native-access=deny");
        assertTrue(r.output().startsWith("java.io.IOException: sd-agent core cannot call libc: this JVM denies "
                + "native access to JNA"), r.output());
        assertTrue(r.output().contains("--enable-native-access=ALL-UNNAMED"), r.output());
    }

    @Test
    void enabledNativeAccessWorksWithoutWarnings() throws Exception {
        Processes.Result r = notifyOnJdk25("--enable-native-access=ALL-UNNAMED");
        // Nobody listens at the abstract address: the send itself fails with errno text, after loading JNA.
        assertEquals("java.io.IOException: sd_notify to NOTIFY_SOCKET=" + ENV.get("NOTIFY_SOCKET")
                + " failed: Connection refused (errno 111)\n", r.output());
    }

    @Test
    void withoutTheFlagJdk25WarnsButWorks() throws Exception {
        Processes.Result r = notifyOnJdk25();
        assertTrue(r.output().contains("WARNING: A restricted method in java.lang.System has been called"),
                r.output());
        assertTrue(r.output().contains("Connection refused (errno 111)"), r.output());
        assertFalse(r.output().contains("cannot call libc"), r.output());
    }
}
