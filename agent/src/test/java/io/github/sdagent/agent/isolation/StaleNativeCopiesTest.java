package io.github.sdagent.agent.isolation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JNA copies killed JVMs left behind go, seconds after the start (AgentMain schedules it, off the start path). */
class StaleNativeCopiesTest {

    @Test
    void onlyStaleNativeCopiesAreRemoved(@TempDir Path temp) throws Exception {
        Path stale = Files.createDirectory(temp.resolve(JnaProperties.PRIVATE_DIRECTORY_PREFIX + "old"));
        Files.createFile(stale.resolve("libjnidispatch.so"));
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis()
                - JnaProperties.STALE_MILLIS - 60_000));
        Path fresh = Files.createDirectory(temp.resolve(JnaProperties.PRIVATE_DIRECTORY_PREFIX + "new"));
        Files.createFile(fresh.resolve("libjnidispatch.so"));
        Path unrelated = Files.createDirectory(temp.resolve("someone-else"));
        Files.setLastModifiedTime(unrelated, FileTime.fromMillis(0));

        JnaProperties.deleteStaleCopies(temp);

        assertFalse(Files.exists(stale), "left behind by a killed JVM: removed");
        assertTrue(Files.exists(fresh.resolve("libjnidispatch.so")), "may be loading right now: kept");
        assertTrue(Files.exists(unrelated));
    }
}
