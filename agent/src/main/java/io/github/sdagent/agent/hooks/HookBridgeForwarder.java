package io.github.sdagent.agent.hooks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Never used under this name: {@link BridgeVisibility} defines a copy of it, renamed
 * {@code io.github.sdagent.agent.bridge.HookBridge}, in a class loader that does not delegate the agent's package
 * to the bootstrap loader (an OSGi bundle, a JBoss module, an isolating plugin loader), so that the hook calls woven
 * into that loader's classes resolve. Each call goes on to the real bridge in the bootstrap loader, found by
 * {@code Class.forName(name, false, null)}, which every class loader can ask for. JDK types only.
 */
public final class HookBridgeForwarder {

    private static final MethodHandle CONSTRUCTED;
    private static final MethodHandle ENTER;
    private static final MethodHandle EXIT;

    static {
        try {
            Class<?> real = Class.forName("io.github.sdagent.agent.bridge.HookBridge", false, null);
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            CONSTRUCTED = lookup.findStatic(real, "constructed", MethodType.methodType(void.class, int.class,
                    Object.class));
            ENTER = lookup.findStatic(real, "enter", MethodType.methodType(void.class, int.class, Object.class));
            EXIT = lookup.findStatic(real, "exit", MethodType.methodType(void.class, int.class, Object.class,
                    Throwable.class));
        } catch (ReflectiveOperationException e) {
            // BridgeVisibility initialises the copy before any hooked class is woven: no weaving then
            throw new IllegalStateException("sd-agent: the hook bridge is not in the bootstrap loader", e);
        }
    }

    private HookBridgeForwarder() {
    }

    public static void constructed(int hook, Object instance) {
        try {
            CONSTRUCTED.invokeExact(hook, instance);
        } catch (Throwable ignored) {
            // never into the application (the bridge catches everything itself)
        }
    }

    public static void enter(int site, Object self) {
        try {
            ENTER.invokeExact(site, self);
        } catch (Throwable ignored) {
            // never into the application
        }
    }

    public static void exit(int site, Object returned, Throwable thrown) {
        try {
            EXIT.invokeExact(site, returned, thrown);
        } catch (Throwable ignored) {
            // never into the application
        }
    }
}
