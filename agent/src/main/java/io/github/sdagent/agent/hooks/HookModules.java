package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.bridge.HookBridge;
import io.github.sdagent.agent.isolation.ModuleAccess;
import io.github.sdagent.agent.isolation.NativeAccess;

import java.lang.instrument.Instrumentation;

/**
 * Java 9+: code in a named module (the JDK's {@code jdk.httpserver}, an application on the module path) may call
 * the bridge only if its module reads the bridge's (unnamed, bootstrap) module; without that edge the hook call
 * fails with IllegalAccessError. The module calls are in {@link ModuleAccess} (Java 9 bytecode, direct calls: this
 * runs on the application's thread as a hooked class loads). On Java 8 all of this is a no-op.
 */
final class HookModules {

    private static final boolean MODULES = NativeAccess.hasModules();

    private HookModules() {
    }

    /** Lets {@code type}'s module read the bridge. */
    static void readBridge(Instrumentation inst, Class<?> type) {
        if (MODULES) {
            try {
                ModuleAccess.letRead(inst, type, HookBridge.class);
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot let the module of " + type.getName() + " read the hook bridge", e);
            }
        }
    }

    /** The same for a class being defined right now (no Class object yet): finds its module in the boot layer. */
    static void readBridge(Instrumentation inst, ClassLoader loader, String binaryName) {
        if (!MODULES) {
            return;
        }
        int dot = binaryName.lastIndexOf('.');
        try {
            ModuleAccess.letBootModuleRead(inst, loader, dot < 0 ? "" : binaryName.substring(0, dot), HookBridge.class);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot let the module of " + binaryName + " read the hook bridge", e);
        }
    }
}
