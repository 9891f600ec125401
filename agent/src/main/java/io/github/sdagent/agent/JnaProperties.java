package io.github.sdagent.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads the agent's JNA once, on purpose, quietly and cheaply.
 *
 * <p>Quietly: class loader isolation does not cover system properties. JNA's {@code Native.<clinit>} records the native
 * library it extracted in {@code jnidispatch.path} (and sets {@code jna.loaded}), and every JNA's {@code <clinit>}
 * first tries the library named there: an application with an older JNA would load the agent's newer
 * libjnidispatch and fail ("incompatible JNA native library"). So the agent puts those properties back as they were.
 *
 * <p>Cheaply: JNA extracts its native library with {@code File.createTempFile}, whose SecureRandom seeds itself and
 * loads the JDK's security providers: about 25 ms of CPU on every start of every service, while the application is
 * starting too. The agent copies the library into a directory of its own instead (created atomically, owner-only,
 * removed once the library is loaded) and points {@code jna.boot.library.path} at it. Any problem there, e.g. a
 * {@code noexec} temp directory, and JNA goes on to its own extraction.
 */
final class JnaProperties {

    static final String[] KEYS = {"jnidispatch.path", "jna.loaded", "jna.boot.library.path"};
    static final String LIBRARY = "libjnidispatch.so";

    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_ONLY =
            PosixFilePermissions.fromString("rwx------");

    private static boolean initialized;
    private static volatile String loadedFrom;

    private JnaProperties() {
    }

    /** Initialises the agent's JNA (if not yet done) without leaving traces in the system properties. */
    static synchronized void initializeQuietly() {
        if (!initialized) {
            initialized = true;
            isolate(() -> {
                Path extracted = extractDispatchLibrary(System.getProperty("os.arch"));
                try {
                    if (extracted != null) {
                        System.setProperty("jna.boot.library.path", extracted.toString());
                    }
                    Class.forName("com.sun.jna.Native", true, JnaProperties.class.getClassLoader());
                    loadedFrom = System.getProperty("jnidispatch.path");
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("JNA is missing from the agent", e);
                } finally {
                    delete(extracted);
                }
            });
        }
    }

    /** Where JNA loaded its native library from, for the debug log; null before {@link #initializeQuietly}. */
    static String loadedFrom() {
        return loadedFrom;
    }

    /**
     * Copies the agent's libjnidispatch for this architecture into a new private directory.
     *
     * @return the directory, or null when JNA should extract it itself
     */
    static Path extractDispatchLibrary(String arch) {
        String platform = "amd64".equals(arch) || "x86_64".equals(arch) ? "linux-x86-64"
                : "aarch64".equals(arch) ? "linux-aarch64" : null;
        if (platform == null) {
            return null;
        }
        Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "sd-agent-jna-" + Long.toHexString(System.nanoTime()));
        try (InputStream library = JnaProperties.class.getClassLoader()
                .getResourceAsStream("com/sun/jna/" + platform + "/" + LIBRARY)) {
            if (library == null) {
                return null;
            }
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.copy(library, dir.resolve(LIBRARY));
            return dir;
        } catch (IOException | RuntimeException e) {
            delete(dir);
            return null;
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            Files.deleteIfExists(dir.resolve(LIBRARY));
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a private directory in the temp directory: harmless if it stays
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
