package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;

/** Where the suite finds what the build made (set by the failsafe configuration in the pom). */
final class Suite {
    private Suite() {
    }

    /** CI sets SDAGENT_REQUIRE_SYSTEMD=1: then what the suite needs must be there, never skipped. */
    static final boolean REQUIRED = "1".equals(System.getenv("SDAGENT_REQUIRE_SYSTEMD"));

    static Path agentJar() {
        Path jar = path("it.agent.jar");
        assertTrue(Files.isRegularFile(jar), "the agent jar is not built: " + jar + " (run mvn verify from the root)");
        return jar;
    }

    static Path appsDir() {
        return path("it.apps.dir");
    }

    static Path logsDir() {
        return path("it.logs.dir");
    }

    static Path demoScript() {
        return path("it.demo.script");
    }

    static Path userManagerScript() {
        return path("it.user.manager.script");
    }

    /** Fails under CI, otherwise skips the test (reported as skipped, never as passed). */
    static void require(boolean condition, String what) {
        if (condition) {
            return;
        }
        if (REQUIRED) {
            fail(what + " (SDAGENT_REQUIRE_SYSTEMD=1)");
        }
        Assumptions.abort(what + "; set SDAGENT_REQUIRE_SYSTEMD=1 to make this a failure");
    }

    static Path path(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            fail("system property " + property + " is not set: run the suite through Maven (mvn verify)");
        }
        return Paths.get(value).toAbsolutePath().normalize();
    }
}
