package io.github.sdagent.agent.watchdog;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

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

    /** Java 8 API, so reflection: {@code inst.redefineModule(java.base, opens java.lang to our module)}. */
    private static void openJavaLang(Instrumentation inst) throws Exception {
        Class<?> moduleType;
        try {
            moduleType = Class.forName("java.lang.Module");
        } catch (ClassNotFoundException java8) {
            return;
        }
        if (inst == null) {
            return;
        }
        Method getModule = Class.class.getMethod("getModule");
        Object own = getModule.invoke(ShutdownHooks.class);
        Object javaBase = getModule.invoke(Object.class);
        Map<String, Set<Object>> opens = Collections.singletonMap("java.lang", Collections.singleton(own));
        Instrumentation.class.getMethod("redefineModule", moduleType, Set.class, Map.class, Map.class, Set.class, Map.class)
                .invoke(inst, javaBase, Collections.emptySet(), Collections.emptyMap(), opens,
                        Collections.emptySet(), Collections.emptyMap());
    }
}
