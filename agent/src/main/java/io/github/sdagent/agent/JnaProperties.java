package io.github.sdagent.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Class loader isolation does not cover system properties. JNA's {@code Native.<clinit>} records the native
 * library it extracted in {@code jnidispatch.path} (and sets {@code jna.loaded}), and every JNA's {@code <clinit>}
 * first tries the library named there: an application with an older JNA would load the agent's newer
 * libjnidispatch and fail ("incompatible JNA native library"). So the agent initialises its JNA once, on purpose,
 * and puts those properties back as they were.
 */
final class JnaProperties {

    static final String[] KEYS = {"jnidispatch.path", "jna.loaded"};

    private static boolean initialized;

    private JnaProperties() {
    }

    /** Initialises the agent's JNA (if not yet done) without leaving traces in the system properties. */
    static synchronized void initializeQuietly() {
        if (!initialized) {
            initialized = true;
            isolate(() -> {
                try {
                    Class.forName("com.sun.jna.Native", true, JnaProperties.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("JNA is missing from the agent", e);
                }
            });
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
