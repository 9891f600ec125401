package io.github.sdagent.agent.bridge;

/**
 * The only code that woven hook calls reach. It lives on the bootstrap class path (JDK types only), so code in a
 * class of any class loader, including JDK classes, can call it; it forwards to the agent's dispatcher, which
 * lives in the agent's isolated class loader. It never throws: nothing the agent does may disturb the
 * application. Before a dispatcher is installed every call is a no-op.
 *
 * <p>Every {@link #enter} is followed by exactly one {@link #exit} for the same site on the same thread (on
 * return or on a throw), so the dispatcher can keep a per-thread stack instead of passing tokens around.
 */
public final class HookBridge {

    /** Implemented inside the agent ({@code io.github.sdagent.agent.hooks.HookEngine}). */
    public interface Dispatcher {

        /** A constructor of a hooked class finished for {@code instance} (whose class may be a subclass). */
        void constructed(int hook, Object instance);

        /** A hooked method was entered ({@code self} is null for a static method). */
        void enter(int site, Object self);

        /** The method entered last on this thread for {@code site} returned {@code returned} (null for a primitive or void) or threw {@code thrown}. */
        void exit(int site, Object returned, Throwable thrown);
    }

    private static volatile Dispatcher dispatcher;

    private HookBridge() {
    }

    /**
     * Sets the dispatcher, once per JVM: the agent calls this right after it has defined this class, so any later
     * call (application code can see this class too) is refused and cannot redirect or silence the hooks.
     *
     * @return whether {@code newDispatcher} is now the dispatcher
     */
    public static synchronized boolean install(Dispatcher newDispatcher) {
        if (dispatcher != null || newDispatcher == null) {
            return false;
        }
        dispatcher = newDispatcher;
        return true;
    }

    public static void constructed(int hook, Object instance) {
        Dispatcher current = dispatcher;
        if (current != null) {
            try {
                current.constructed(hook, instance);
            } catch (Throwable ignored) {
                // never into the application
            }
        }
    }

    public static void enter(int site, Object self) {
        Dispatcher current = dispatcher;
        if (current != null) {
            try {
                current.enter(site, self);
            } catch (Throwable ignored) {
                // never into the application
            }
        }
    }

    public static void exit(int site, Object returned, Throwable thrown) {
        Dispatcher current = dispatcher;
        if (current != null) {
            try {
                current.exit(site, returned, thrown);
            } catch (Throwable ignored) {
                // never into the application
            }
        }
    }
}
