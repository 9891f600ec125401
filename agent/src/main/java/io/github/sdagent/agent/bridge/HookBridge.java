package io.github.sdagent.agent.bridge;

/**
 * The only code that hook advice calls. It lives on the bootstrap class path (JDK types only), so advice
 * inlined into a class of any class loader, including JDK classes, can reach it; it forwards to the agent's
 * dispatcher, which lives in the agent's isolated class loader. Before a dispatcher is installed every call is
 * a no-op.
 */
public final class HookBridge {

    /** Implemented inside the agent; see {@code io.github.sdagent.agent.hooks.HookEngine}. */
    public interface Dispatcher {

        /** A constructor of the hooked class {@code named} finished for {@code instance} (whose class may be a subclass). */
        void constructed(int hook, Class<?> named, Object instance);

        /** A hooked method was entered; returns a token when this call counts (the outermost call on a hooked instance), else null. */
        Object enter(int site, Object self);

        /** The counted call returned {@code returned} (boxed, null for void) or threw {@code thrown}. */
        void exit(Object token, Object returned, Throwable thrown);
    }

    private static volatile Dispatcher dispatcher;

    private HookBridge() {
    }

    public static void install(Dispatcher newDispatcher) {
        dispatcher = newDispatcher;
    }

    public static void constructed(int hook, Class<?> named, Object instance) {
        Dispatcher current = dispatcher;
        if (current != null) {
            current.constructed(hook, named, instance);
        }
    }

    public static Object enter(int site, Object self) {
        Dispatcher current = dispatcher;
        return current == null ? null : current.enter(site, self);
    }

    public static void exit(Object token, Object returned, Throwable thrown) {
        Dispatcher current = dispatcher;
        if (current != null) {
            current.exit(token, returned, thrown);
        }
    }
}
