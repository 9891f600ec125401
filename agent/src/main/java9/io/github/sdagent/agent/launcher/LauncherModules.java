package io.github.sdagent.agent.launcher;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * The launcher's Java 9+ module operations, called directly instead of through reflection (compiled on its own for
 * Java 9, src/main/java9; loaded only when the JDK has modules). Signatures use Java 8 types only, so the launcher's
 * Java 8 code can call them.
 */
final class LauncherModules {

    private LauncherModules() {
    }

    /** Exports {@code pkg} of {@code inModuleOf}'s module to {@code toModuleOf}'s module only. */
    static void exportPackage(Instrumentation inst, Class<?> inModuleOf, String pkg, Class<?> toModuleOf) {
        inst.redefineModule(inModuleOf.getModule(), Set.of(), Map.of(pkg, Set.of(toModuleOf.getModule())), Map.of(),
                Set.of(), Map.of());
    }
}
