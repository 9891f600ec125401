package io.github.sdagent.agent.isolation;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * JDK 22+ (JEP 472): lets this module, and only this module, use JNA without "restricted method" warnings and under
 * {@code --illegal-native-access=deny}. The launcher made the agent's internals a named module; here the agent opens
 * java.lang to that module with its Instrumentation and calls the JDK's Module#implAddEnableNativeAccess on itself.
 * The application's own code (the unnamed modules) keeps the JDK's normal treatment. Java 8 API, so reflection.
 */
public final class NativeAccess {

    private NativeAccess() {
    }

    /** The module of the agent's internals, for diagnostics ("unnamed" on Java 8). */
    public static String ownModule() {
        try {
            return String.valueOf(Class.class.getMethod("getModule").invoke(NativeAccess.class));
        } catch (ReflectiveOperationException java8) {
            return "unnamed";
        }
    }

    /** @return true when enabled, false when not needed (JDK before 22, or not a named module, as in tests/CLI) */
    public static boolean enableForOwnModule(Instrumentation inst) throws Exception {
        Class<?> moduleType;
        Method enable;
        try {
            moduleType = Class.forName("java.lang.Module");
            enable = moduleType.getDeclaredMethod("implAddEnableNativeAccess");
        } catch (ClassNotFoundException | NoSuchMethodException noNativeAccessChecks) {
            return false;
        }
        Method getModule = Class.class.getMethod("getModule");
        Object own = getModule.invoke(NativeAccess.class);
        if (!(Boolean) moduleType.getMethod("isNamed").invoke(own)) {
            return false;
        }
        Object javaBase = getModule.invoke(Object.class);
        Map<String, Set<Object>> opens = Collections.singletonMap("java.lang", Collections.singleton(own));
        Instrumentation.class.getMethod("redefineModule", moduleType, Set.class, Map.class, Map.class, Set.class, Map.class)
                .invoke(inst, javaBase, Collections.emptySet(), Collections.emptyMap(), opens,
                        Collections.emptySet(), Collections.emptyMap());
        enable.setAccessible(true);
        enable.invoke(own);
        return true;
    }
}
