package io.github.sdagent.agent.isolation;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Loads the agent's JNA once, on purpose, leaving no traces.
 *
 * <p>The agent's copy of JNA keeps its {@code jna.*}/{@code jnidispatch.*} properties in {@link JnaSystemProperties}
 * and logs through {@link JnaLogger} (the build rewrites it so), so loading it neither reads the application's JNA
 * settings nor publishes its own, and never initialises java.util.logging. The agent's loader serves JNA's native
 * library as a file in a private directory (see the launcher's IsolatedClassLoader), which JNA loads in place; that
 * copy is deleted once loaded.
 */
public final class JnaProperties {

    /** As named by the launcher's IsolatedClassLoader. */
    static final String PRIVATE_DIRECTORY_PREFIX = "sd-agent-native-";
    /** JNA's setting for the directories its libraries-by-name search adds to the system's (set: no ldconfig). */
    static final String PLATFORM_LIBRARY_PATH = "jna.platform.library.path";
    /** A copy lives for milliseconds (extracted, loaded, deleted) unless its JVM was killed in between. */
    static final long STALE_MILLIS = 10 * 60 * 1000;

    private static boolean initialized;
    private static volatile String loadedFrom;

    private JnaProperties() {
    }

    /** Initialises the agent's JNA (if not yet done); throws what JNA's loading threw, Errors included. */
    public static synchronized void initializeQuietly() {
        if (!initialized) {
            initialized = true;
            // Without it, JNA's NativeLibrary (its first use: core's Native.register for "c") runs "/sbin/ldconfig -p"
            // in a child process and stats every directory it names, to build a search path for libraries loaded by
            // name: tens of ms of CPU and a process spawn on every start. The agent loads only libc, which JNA maps to
            // the process itself (dlopen(NULL)), and jnidispatch by its path; an empty platform path skips the search.
            // A private setting (see JnaSystemProperties): the application's JNA is untouched.
            if (JnaSystemProperties.getProperty(PLATFORM_LIBRARY_PATH) == null) {
                JnaSystemProperties.setProperty(PLATFORM_LIBRARY_PATH, "");
            }
            try {
                Class.forName("com.sun.jna.Native", true, JnaProperties.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("JNA is missing from the agent", e);
            } finally {
                loadedFrom = JnaSystemProperties.getProperty("jnidispatch.path");
                deletePrivateCopy(loadedFrom);
            }
        }
    }

    /** Where JNA loaded its native library from, for the debug log; null before {@link #initializeQuietly}. */
    public static String loadedFrom() {
        return loadedFrom;
    }

    /**
     * Removes the private copies killed JVMs left behind (older than {@link #STALE_MILLIS}), as JNA does with its own
     * temp files. Only this user's can go; others' stay, harmlessly. Run seconds after the start, on the agent's
     * thread: listing the temp directory (a large one on a busy host) is no work for the start path.
     */
    public static void deleteStaleCopies(Path temp) {
        long staleBefore = System.currentTimeMillis() - STALE_MILLIS;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(temp, PRIVATE_DIRECTORY_PREFIX + "*")) {
            for (Path dir : dirs) {
                try {
                    if (Files.getLastModifiedTime(dir).toMillis() < staleBefore) {
                        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                            for (Path file : files) {
                                Files.deleteIfExists(file);
                            }
                        }
                        Files.deleteIfExists(dir);
                    }
                } catch (IOException | RuntimeException notOursOrGone) {
                    // another user's, or removed meanwhile
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // nothing to clean
        }
    }

    /** The library is mapped once loaded, so its file can go; only a copy in the agent's own directory, though. */
    static void deletePrivateCopy(String path) {
        if (path == null) {
            return;
        }
        Path file = Paths.get(path);
        Path dir = file.getParent();
        if (dir != null && dir.getFileName().toString().startsWith(PRIVATE_DIRECTORY_PREFIX)) {
            try {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // a private directory in the temp directory: harmless if it stays
            }
        }
    }
}
