package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.bridge.HookBridge;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * Java 9+: code in a named module (the JDK's {@code jdk.httpserver}, an application on the module path) may call
 * the bridge only if its module reads the bridge's (unnamed, bootstrap) module; without that edge the hook call
 * fails with IllegalAccessError. Production code is Java 8 API, hence reflection. On Java 8 all of this is a no-op.
 */
final class HookModules {

    private HookModules() {
    }

    /** Lets {@code type}'s module read the bridge. */
    static void readBridge(Instrumentation inst, Class<?> type) {
        try {
            Method getModule = getModule();
            if (getModule != null) {
                readBridge(inst, getModule.invoke(type));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot let the module of " + type.getName() + " read the hook bridge", e);
        }
    }

    /** The same for a class being defined right now (no Class object yet): finds its module in the boot layer. */
    static void readBridge(Instrumentation inst, ClassLoader loader, String binaryName) {
        if (getModule() == null) {
            return;
        }
        int dot = binaryName.lastIndexOf('.');
        String packageName = dot < 0 ? "" : binaryName.substring(0, dot);
        try {
            Class<?> layerType = Class.forName("java.lang.ModuleLayer");
            Class<?> moduleType = Class.forName("java.lang.Module");
            Method getClassLoader = moduleType.getMethod("getClassLoader");
            Method getPackages = moduleType.getMethod("getPackages");
            Object bootLayer = layerType.getMethod("boot").invoke(null);
            for (Object module : (Set<?>) layerType.getMethod("modules").invoke(bootLayer)) {
                if (getClassLoader.invoke(module) == loader && ((Set<?>) getPackages.invoke(module)).contains(packageName)) {
                    readBridge(inst, module);
                    return;
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot let the module of " + binaryName + " read the hook bridge", e);
        }
    }

    private static void readBridge(Instrumentation inst, Object module) throws ReflectiveOperationException {
        Class<?> moduleType = Class.forName("java.lang.Module");
        Object bridge = getModule().invoke(HookBridge.class);
        if (!(Boolean) moduleType.getMethod("isNamed").invoke(module)
                || (Boolean) moduleType.getMethod("canRead", moduleType).invoke(module, bridge)) {
            return;
        }
        Instrumentation.class.getMethod("redefineModule", moduleType, Set.class, Map.class, Map.class, Set.class,
                Map.class).invoke(inst, module, Collections.singleton(bridge), Collections.emptyMap(),
                Collections.emptyMap(), Collections.emptySet(), Collections.emptyMap());
    }

    /** {@code Class.getModule()}, or null before Java 9. */
    private static Method getModule() {
        try {
            return Class.class.getMethod("getModule");
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
