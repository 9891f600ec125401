package io.github.sdagent.agent.isolation;

import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;

/**
 * The internals' Java 9+ module operations, called directly: compiled on its own for Java 9 (src/main/java9, with
 * jdk.internal.misc and jdk.internal.access visible to the compiler) and loaded only when the JDK has modules. Before,
 * these were {@code Method.invoke} calls, whose first use on JDK 18+ spins method-handle classes on the start path
 * that the JIT then compiles. Signatures use Java 8 types only, so the Java 8 code can call them.
 */
public final class ModuleAccess {

    private ModuleAccess() {
    }

    /** Whether {@code type} belongs to a named module. */
    public static boolean isNamed(Class<?> type) {
        return type.getModule().isNamed();
    }

    /** The module of {@code type}, for diagnostics. */
    public static String describe(Class<?> type) {
        return String.valueOf(type.getModule());
    }

    /** Exports {@code pkg} of {@code inModuleOf}'s module to {@code toModuleOf}'s module only. */
    public static void exportPackage(Instrumentation inst, Class<?> inModuleOf, String pkg, Class<?> toModuleOf) {
        inst.redefineModule(inModuleOf.getModule(), Set.of(), Map.of(pkg, Set.of(toModuleOf.getModule())), Map.of(),
                Set.of(), Map.of());
    }

    /** Opens {@code pkg} of {@code inModuleOf}'s module to {@code toModuleOf}'s module only (deep reflection). */
    public static void openPackage(Instrumentation inst, Class<?> inModuleOf, String pkg, Class<?> toModuleOf) {
        inst.redefineModule(inModuleOf.getModule(), Set.of(), Map.of(), Map.of(pkg, Set.of(toModuleOf.getModule())),
                Set.of(), Map.of());
    }

    /**
     * Enables native access (JEP 472) for {@code type}'s module only, through the JDK's own
     * {@code JavaLangAccess.addEnableNativeAccess} once jdk.internal.access is exported to that module.
     */
    public static void enableNativeAccess(Instrumentation inst, Class<?> type) {
        exportPackage(inst, Object.class, "jdk.internal.access", type);
        jdk.internal.access.SharedSecrets.getJavaLangAccess().addEnableNativeAccess(type.getModule());
    }

    /** Defines a class in the bootstrap loader; jdk.internal.misc must have been exported to this module. */
    public static Class<?> defineInBootstrapLoader(String name, byte[] bytes) {
        return jdk.internal.misc.Unsafe.getUnsafe().defineClass(name, bytes, 0, bytes.length, null,
                (ProtectionDomain) null);
    }

    /** Lets {@code reader}'s module read {@code target}'s (a no-op for unnamed modules, which read every module). */
    public static void letRead(Instrumentation inst, Class<?> reader, Class<?> target) {
        addRead(inst, reader.getModule(), target.getModule());
    }

    /** The same for a class being defined right now (no Class object yet): finds its module in the boot layer. */
    public static void letBootModuleRead(Instrumentation inst, ClassLoader loader, String packageName, Class<?> target) {
        for (Module module : ModuleLayer.boot().modules()) {
            if (module.getClassLoader() == loader && module.getPackages().contains(packageName)) {
                addRead(inst, module, target.getModule());
                return;
            }
        }
    }

    private static void addRead(Instrumentation inst, Module reader, Module target) {
        if (reader.isNamed() && !reader.canRead(target)) {
            inst.redefineModule(reader, Set.of(target), Map.of(), Map.of(), Set.of(), Map.of());
        }
    }
}
