package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.bridge.HookBridge;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.utility.JavaModule;

/**
 * Java 9+: code in a named module (the JDK's {@code jdk.httpserver}, an application on the module path) may call
 * the bridge only if its module reads the bridge's (unnamed, bootstrap) module. Without the edge the advice's
 * call fails with IllegalAccessError, which the advice suppresses, so the hook would stay silent. Java 8 API only,
 * hence reflection for {@code Instrumentation.redefineModule}.
 */
final class HookModules {

    private HookModules() {
    }

    /** Lets {@code type}'s module read the bridge. */
    static void readBridge(Instrumentation inst, Class<?> type) {
        if (JavaModule.isSupported()) {
            readBridge(inst, JavaModule.ofType(type));
        }
    }

    /** The same for a class being defined right now (no Class object yet): finds its module in the boot layer. */
    static void readBridge(Instrumentation inst, ClassLoader loader, String binaryName) {
        if (!JavaModule.isSupported()) {
            return;
        }
        int dot = binaryName.lastIndexOf('.');
        String packageName = dot < 0 ? "" : binaryName.substring(0, dot);
        try {
            Class<?> layerType = Class.forName("java.lang.ModuleLayer");
            Object bootLayer = layerType.getMethod("boot").invoke(null);
            for (Object module : (Set<?>) layerType.getMethod("modules").invoke(bootLayer)) {
                JavaModule candidate = JavaModule.of(module);
                if (candidate.getClassLoader() == loader && candidate.getPackages().contains(packageName)) {
                    readBridge(inst, candidate);
                    return;
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot find the module of " + binaryName, e);
        }
    }

    private static void readBridge(Instrumentation inst, JavaModule module) {
        JavaModule bridge = JavaModule.ofType(HookBridge.class);
        if (!module.isNamed() || module.canRead(bridge)) {
            return;
        }
        try {
            Class<?> moduleType = Class.forName("java.lang.Module");
            Method redefineModule = Instrumentation.class.getMethod("redefineModule",
                    moduleType, Set.class, Map.class, Map.class, Set.class, Map.class);
            redefineModule.invoke(inst, module.unwrap(), Collections.singleton(bridge.unwrap()),
                    Collections.emptyMap(), Collections.emptyMap(), Collections.emptySet(), Collections.emptyMap());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot let module " + module.getActualName() + " read the hook bridge", e);
        }
    }
}
