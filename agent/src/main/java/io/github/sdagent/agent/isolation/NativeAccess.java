package io.github.sdagent.agent.isolation;

import java.lang.instrument.Instrumentation;

/**
 * JDK 22+ (JEP 472): lets this module, and only this module, use JNA without "restricted method" warnings and under
 * {@code --illegal-native-access=deny}. The launcher made the agent's internals a named module; here the agent
 * exports jdk.internal.access to that module with its Instrumentation and enables native access for itself through
 * the JDK's own JavaLangAccess. The application's own code (the unnamed modules) keeps the JDK's normal treatment.
 * The calls themselves are in {@link ModuleAccess} (Java 9 bytecode, loaded only when the JDK has modules).
 */
public final class NativeAccess {

    private NativeAccess() {
    }

    /** The module of the agent's internals, for diagnostics ("unnamed" on Java 8). */
    public static String ownModule() {
        return hasModules() ? ModuleAccess.describe(NativeAccess.class) : "unnamed";
    }

    /**
     * @return true when enabled, false when not needed (Java 8; JDK 11, which has neither native access control nor
     *         the jdk.internal.access package; or not a named module, as in tests/CLI). From JDK 17 on it is done as
     *         tested there, although only JDK 24+ restricts JNI.
     */
    public static boolean enableForOwnModule(Instrumentation inst) {
        if (!hasModules() || featureVersion(System.getProperty("java.specification.version")) < 17
                || !ModuleAccess.isNamed(NativeAccess.class)) {
            return false;
        }
        ModuleAccess.enableNativeAccess(inst, NativeAccess.class);
        return true;
    }

    /** The JDK's feature version from java.specification.version ("1.8" is 8), or 0 when it cannot be read. */
    public static int featureVersion(String specVersion) {
        try {
            return Integer.parseInt(specVersion.startsWith("1.") ? specVersion.substring(2) : specVersion);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** Java 9+; tested without loading anything (the class is loaded at JVM start whatever the agent does). */
    public static boolean hasModules() {
        try {
            Class.forName("java.lang.Module", false, null);
            return true;
        } catch (ClassNotFoundException java8) {
            return false;
        }
    }
}
