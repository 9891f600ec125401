package io.github.sdagent.agent.isolation;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The system properties as the agent's copy of JNA sees them (see the package comment): {@code jna.*} and
 * {@code jnidispatch.*} live in a private map, so neither JNA reads or writes the other's settings (an
 * application's {@code -Djna.boot.library.path=} pointing at its older native library must not be loaded by the
 * agent, and the agent's {@code jnidispatch.path} must not be tried by the application's JNA). Every other key is
 * the JVM's, read through as usual. Same names and descriptors as the JDK methods the build redirects.
 */
public final class JnaSystemProperties {

    private static final ConcurrentHashMap<String, String> PRIVATE = new ConcurrentHashMap<>();

    private JnaSystemProperties() {
    }

    static boolean isPrivate(String key) {
        return key != null && (key.startsWith("jna.") || key.startsWith("jnidispatch."));
    }

    public static String getProperty(String key) {
        return isPrivate(key) ? PRIVATE.get(key) : System.getProperty(key);
    }

    public static String getProperty(String key, String otherwise) {
        String value = getProperty(key);
        return value == null ? otherwise : value;
    }

    public static String setProperty(String key, String value) {
        return isPrivate(key) ? PRIVATE.put(key, value) : System.setProperty(key, value);
    }

    public static String clearProperty(String key) {
        return isPrivate(key) ? PRIVATE.remove(key) : System.clearProperty(key);
    }

    public static boolean getBoolean(String key) {
        return isPrivate(key) ? "true".equalsIgnoreCase(PRIVATE.get(key)) : Boolean.getBoolean(key);
    }

    public static Integer getInteger(String key) {
        return privateOrSystemInteger(key, null);
    }

    public static Integer getInteger(String key, int otherwise) {
        return privateOrSystemInteger(key, Integer.valueOf(otherwise));
    }

    private static Integer privateOrSystemInteger(String key, Integer otherwise) {
        if (!isPrivate(key)) {
            return otherwise == null ? Integer.getInteger(key) : Integer.getInteger(key, otherwise);
        }
        try {
            return Integer.decode(PRIVATE.get(key));
        } catch (RuntimeException unsetOrMalformed) {
            return otherwise;
        }
    }

    public static Long getLong(String key) {
        return privateOrSystemLong(key, null);
    }

    public static Long getLong(String key, long otherwise) {
        return privateOrSystemLong(key, Long.valueOf(otherwise));
    }

    private static Long privateOrSystemLong(String key, Long otherwise) {
        if (!isPrivate(key)) {
            return otherwise == null ? Long.getLong(key) : Long.getLong(key, otherwise);
        }
        try {
            return Long.decode(PRIVATE.get(key));
        } catch (RuntimeException unsetOrMalformed) {
            return otherwise;
        }
    }
}
