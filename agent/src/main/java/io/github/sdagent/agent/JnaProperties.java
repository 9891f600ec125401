package io.github.sdagent.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads the agent's JNA once, on purpose, leaving no traces.
 *
 * <p>Class loader isolation does not cover system properties. JNA's {@code Native.<clinit>} records the native
 * library it extracted in {@code jnidispatch.path} (and sets {@code jna.loaded}), and every JNA's {@code <clinit>}
 * first tries the library named there: an application with an older JNA would load the agent's newer
 * libjnidispatch and fail ("incompatible JNA native library"). So the agent puts those properties back as they were.
 *
 * <p>The agent's loader serves JNA's native library as a file in a private directory (see the launcher's
 * IsolatedClassLoader), which JNA loads in place; that copy is deleted once loaded.
 */
final class JnaProperties {

    static final String[] KEYS = {"jnidispatch.path", "jna.loaded"};
    /** As named by the launcher's IsolatedClassLoader. */
    static final String PRIVATE_DIRECTORY_PREFIX = "sd-agent-native-";

    private static boolean initialized;
    private static volatile String loadedFrom;

    private JnaProperties() {
    }

    /** Initialises the agent's JNA (if not yet done) without leaving traces in the system properties. */
    static synchronized void initializeQuietly() {
        if (!initialized) {
            initialized = true;
            isolate(new Runnable() { // no lambda: see AgentMain#DAEMON
                @Override
                public void run() {
                    try {
                        Class.forName("com.sun.jna.Native", true, JnaProperties.class.getClassLoader());
                    } catch (ClassNotFoundException e) {
                        throw new IllegalStateException("JNA is missing from the agent", e);
                    } finally {
                        loadedFrom = System.getProperty("jnidispatch.path");
                        deletePrivateCopy(loadedFrom);
                    }
                }
            });
        }
    }

    /** Where JNA loaded its native library from, for the debug log; null before {@link #initializeQuietly}. */
    static String loadedFrom() {
        return loadedFrom;
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

    /** Runs {@code task}, then restores {@link #KEYS} to their values before it (removing those that were unset). */
    static void isolate(Runnable task) {
        Map<String, String> before = new LinkedHashMap<>();
        for (String key : KEYS) {
            before.put(key, System.getProperty(key));
        }
        try {
            task.run();
        } finally {
            for (Map.Entry<String, String> entry : before.entrySet()) {
                if (entry.getValue() == null) {
                    System.clearProperty(entry.getKey());
                } else {
                    System.setProperty(entry.getKey(), entry.getValue());
                }
            }
        }
    }
}
