package io.github.sdagent.agent.isolation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stand-ins the agent's rewritten JNA uses instead of system properties and java.util.logging. */
class JnaStandInsTest {

    @Test
    void jnaPropertiesArePrivateBothWays() {
        System.setProperty("jna.boot.library.path", "/app/old-jna");
        System.setProperty("jna.nosys", "false");
        // (other tests in this JVM may have loaded the plain, unrewritten JNA of the test class path, which sets these)
        String systemPath = System.getProperty("jnidispatch.path");
        String systemLoaded = System.getProperty("jna.loaded");
        try {
            assertNull(JnaSystemProperties.getProperty("jna.boot.library.path"), "the application's setting is not ours");
            assertEquals("true", JnaSystemProperties.getProperty("jna.nosys", "true"), "JNA's default, not the app's");
            assertFalse(JnaSystemProperties.getBoolean("jna.nosys"));
            JnaSystemProperties.setProperty("jnidispatch.path", "/tmp/sd-agent-native-1/libjnidispatch.so");
            JnaSystemProperties.setProperty("jna.loaded", "true");
            assertEquals("/tmp/sd-agent-native-1/libjnidispatch.so", JnaSystemProperties.getProperty("jnidispatch.path"));
            assertTrue(JnaSystemProperties.getBoolean("jna.loaded"));
            assertEquals(systemPath, System.getProperty("jnidispatch.path"), "the agent's JNA publishes nothing to the application's");
            assertEquals(systemLoaded, System.getProperty("jna.loaded"));
            assertEquals("true", JnaSystemProperties.clearProperty("jna.loaded"));
            assertEquals(42, JnaSystemProperties.getInteger("jna.none", 42));
            assertEquals(7L, JnaSystemProperties.getLong("jna.none", 7L));
        } finally {
            System.clearProperty("jna.boot.library.path");
            System.clearProperty("jna.nosys");
            JnaSystemProperties.clearProperty("jnidispatch.path");
        }
    }

    @Test
    void otherPropertiesAreTheJvms() {
        assertEquals(System.getProperty("os.name"), JnaSystemProperties.getProperty("os.name"));
        assertEquals(System.getProperty("java.io.tmpdir"), JnaSystemProperties.getProperty("java.io.tmpdir", "x"));
        System.setProperty("sdagent.test.number", "12");
        try {
            assertEquals(12, JnaSystemProperties.getInteger("sdagent.test.number"));
            assertEquals(12L, JnaSystemProperties.getLong("sdagent.test.number"));
        } finally {
            System.clearProperty("sdagent.test.number");
        }
    }

    @Test
    void onlyWarningsAndAboveReachStderr() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        try {
            JnaLogger log = JnaLogger.getLogger("com.sun.jna.Native");
            log.log(JnaLevel.FINE, "Looking in classpath from {0} for {1}", new Object[] {"loader", "jnidispatch"});
            log.log(JnaLevel.WARNING, "Unable to load {0}", "libfoo");
            assertFalse(log.isLoggable(JnaLevel.INFO));
        } finally {
            System.setErr(original);
        }
        assertEquals("sd-agent: JNA WARNING (com.sun.jna.Native): Unable to load libfoo" + System.lineSeparator(),
                new String(captured.toByteArray(), StandardCharsets.UTF_8));
    }

    @Test
    void onlyTheAgentsOwnCopyOfTheLibraryIsDeleted(@TempDir Path temp) throws Exception {
        Path own = Files.createDirectory(temp.resolve(JnaProperties.PRIVATE_DIRECTORY_PREFIX + "1"));
        Path library = Files.createFile(own.resolve("libjnidispatch.so"));
        Path foreign = Files.createFile(temp.resolve("jna123.tmp"));
        JnaProperties.deletePrivateCopy(foreign.toString());
        JnaProperties.deletePrivateCopy(null);
        assertTrue(Files.exists(foreign), "JNA's own temp files are JNA's business");
        JnaProperties.deletePrivateCopy(library.toString());
        assertFalse(Files.exists(own));
    }
}
