package io.github.sdagent.agent.watchdog;

import io.github.sdagent.agent.isolation.ModuleAccess;
import io.github.sdagent.agent.isolation.NativeAccess;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.util.Map;

/**
 * The application's registered shutdown hooks: the JDK keeps them in java.lang.ApplicationShutdownHooks#hooks, a
 * map whose field the JDK sets to null as the hooks start (the map itself stays). So it is read before shutdown
 * begins (at {@code stop-extend} set-up) or from the SIGTERM notice, which runs before the JVM's own handler. The
 * agent opens java.lang to its own module for this, with its Instrumentation (the application's modules are
 * untouched).
 */
final class ShutdownHooks {

    private ShutdownHooks() {
    }

    /** @return the map of registered hooks (hook -> hook), or null when it is gone or cannot be read */
    @SuppressWarnings("unchecked")
    static Map<Thread, Thread> registered(Instrumentation inst) {
        try {
            Class<?> hooks = Class.forName("java.lang.ApplicationShutdownHooks");
            Field field = hooks.getDeclaredField("hooks");
            openJavaLang(inst);
            field.setAccessible(true);
            synchronized (hooks) {
                return (Map<Thread, Thread>) field.get(null);
            }
        } catch (Throwable unavailable) {
            return null;
        }
    }

    /** The hooks of {@code registered} that are still running (a copy, taken under the JDK's own lock). */
    static java.util.List<Thread> running(Map<Thread, Thread> registered) {
        java.util.List<Thread> running = new java.util.ArrayList<>();
        Object[] hooks;
        try {
            synchronized (Class.forName("java.lang.ApplicationShutdownHooks")) {
                hooks = registered.keySet().toArray();
            }
        } catch (ClassNotFoundException notThisJdk) {
            return running;
        }
        for (Object hook : hooks) {
            Thread thread = (Thread) hook;
            if (thread.isAlive() && !thread.getName().startsWith("sd-agent")) {
                running.add(thread);
            }
        }
        return running;
    }

    /** {@code inst.redefineModule(java.base, opens java.lang to our module)}, a direct call (see ModuleAccess). */
    private static void openJavaLang(Instrumentation inst) {
        if (inst != null && NativeAccess.hasModules()) {
            ModuleAccess.openPackage(inst, Object.class, "java.lang", ShutdownHooks.class);
        }
    }
}
