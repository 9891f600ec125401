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

    /** @return true when enabled, false when not needed (Java 8, or not a named module, as in tests/CLI) */
    public static boolean enableForOwnModule(Instrumentation inst) {
        if (!hasModules() || !ModuleAccess.isNamed(NativeAccess.class)) {
            return false;
        }
        ModuleAccess.enableNativeAccess(inst, NativeAccess.class);
        return true;
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
