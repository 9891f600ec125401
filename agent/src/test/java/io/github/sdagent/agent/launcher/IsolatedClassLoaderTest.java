package io.github.sdagent.agent.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IsolatedClassLoaderTest {

    @Test
    void onlyStaleNativeCopiesAreRemoved(@TempDir Path temp) throws Exception {
        Path stale = Files.createDirectory(temp.resolve(IsolatedClassLoader.NATIVE_DIRECTORY_PREFIX + "old"));
        Files.createFile(stale.resolve("libjnidispatch.so"));
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis()
                - IsolatedClassLoader.STALE_NATIVE_MILLIS - 60_000));
        Path fresh = Files.createDirectory(temp.resolve(IsolatedClassLoader.NATIVE_DIRECTORY_PREFIX + "new"));
        Files.createFile(fresh.resolve("libjnidispatch.so"));
        Path unrelated = Files.createDirectory(temp.resolve("someone-else"));
        Files.setLastModifiedTime(unrelated, FileTime.fromMillis(0));

        IsolatedClassLoader.deleteStaleNativeDirectories(temp);

        assertFalse(Files.exists(stale), "left behind by a killed JVM: removed");
        assertTrue(Files.exists(fresh.resolve("libjnidispatch.so")), "may be loading right now: kept");
        assertTrue(Files.exists(unrelated));
    }
}
