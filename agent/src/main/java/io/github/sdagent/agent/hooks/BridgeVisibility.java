package io.github.sdagent.agent.hooks;

import java.lang.instrument.Instrumentation;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Whether the classes of a class loader can call a bridge class of the agent (defined in the bootstrap loader), and
 * if they cannot, makes them able to. Code woven into a class resolves the bridge through that class's own loader.
 * The JDK's loaders, Spring Boot's, Tomcat's and most others ask their parent first and so end at the bootstrap
 * loader; an OSGi bundle's loader (Felix, Equinox: only {@code java.*} and the boot-delegation list go to the
 * parent), a JBoss module's ({@code jboss.modules.system.pkgs}) and other isolating plugin loaders do not, and there
 * a woven call would throw NoClassDefFoundError into the application's own method.
 *
 * <p>So before weaving a class the weaver asks its loader for the bridge by name, once per loader and bridge. When
 * the loader does not find it, a forwarder ({@link HookBridgeForwarder}, {@link ListenBridgeForwarder}) is defined in
 * that loader under the bridge's name; it passes each call on to the real bridge. When even that is not possible (the
 * loader has a class of that name of its own, or finds another one than the one defined), the class is not woven:
 * a hook that does not fire, said once, never an application that fails.
 */
public final class BridgeVisibility {

    private static BridgeVisibility instance;

    private final Instrumentation inst;
    /** loader -> bridge class name -> whether that loader's classes can call it */
    private final Map<ClassLoader, Map<String, Boolean>> known = new WeakHashMap<>();
    /** Only where a loader hides the bridge: ASM and the templates load then, not on every service's start path. */
    private ForwarderInjection injection;

    BridgeVisibility(Instrumentation inst) {
        this.inst = inst;
    }

    /** The JVM's one instance: the hook engine and the bind interception share what they learn of each loader. */
    public static synchronized BridgeVisibility of(Instrumentation inst) {
        if (instance == null) {
            instance = new BridgeVisibility(inst);
        }
        return instance;
    }

    /**
     * @param loader    the loader of the class about to be woven (null: the bootstrap loader, which defines the bridge)
     * @param bridge    the bridge class the woven code calls
     * @param forwarder the binary name of its forwarder template (a name: the template loads only when needed)
     * @throws IllegalStateException with the reason, when the woven code's calls would not resolve to {@code bridge}
     *                               (directly or through a forwarder): then the class must not be woven
     */
    public synchronized void require(ClassLoader loader, Class<?> bridge, String forwarder) {
        if (loader == null) {
            return;
        }
        Map<String, Boolean> bridges = known.get(loader);
        if (bridges == null) {
            bridges = new HashMap<>();
            known.put(loader, bridges);
        }
        Boolean reachable = bridges.get(bridge.getName());
        if (reachable == null) {
            String problem = reach(loader, bridge, forwarder);
            reachable = problem == null;
            bridges.put(bridge.getName(), reachable);
            if (problem != null) {
                throw new IllegalStateException(problem);
            }
        } else if (!reachable) {
            throw new IllegalStateException("its class loader " + loader + " cannot reach " + bridge.getName());
        }
    }

    /** Null when {@code loader}'s classes reach {@code bridge} now, else why not. */
    private String reach(ClassLoader loader, Class<?> bridge, String forwarder) {
        // An OSGi bundle's loader answers the agent otherwise than its own classes: Felix's implicit boot delegation
        // gives a caller from outside the framework (this class) the parent's classes, the bundle's classes not
        // (Karaf's Jetty bundle: IsolatingDistributionsIT). What it answers here proves nothing: a bundle gets the
        // forwarder.
        boolean bundle = isOsgiBundle(loader);
        Class<?> found = bundle ? null : find(loader, bridge.getName());
        if (found == bridge) {
            return null;
        }
        if (found != null) {
            return "its class loader " + loader + " has a class " + bridge.getName() + " of its own";
        }
        try {
            if (injection == null) {
                injection = new ForwarderInjection(inst);
            }
            Class<?> defined = injection.define(loader, bridge, Class.forName(forwarder, false,
                    BridgeVisibility.class.getClassLoader()));
            if (bundle) {
                // the JVM resolves a name in the classes its loader defined first: the bundle's classes reach this one
                java.lang.reflect.Constructor<?> initializing = defined.getDeclaredConstructor();
                initializing.setAccessible(true);
                initializing.newInstance(); // runs its lookup of the real bridge now (loadClass would be answered as above)
                return null;
            }
            Class.forName(bridge.getName(), true, loader); // runs its lookup of the real bridge now, not in a hook
            if (find(loader, bridge.getName()) != defined) {
                return "its class loader " + loader + " does not find the forwarder defined in it";
            }
            return null;
        } catch (Throwable t) {
            return "its class loader " + loader + " does not delegate " + bridge.getName() + " to the bootstrap loader,"
                    + " and a forwarder could not be defined in it (" + t + ")";
        }
    }

    /** Felix's and Equinox's bundle loaders implement BundleReference; by name: the agent does not see OSGi's API. */
    static boolean isOsgiBundle(ClassLoader loader) {
        for (Class<?> type = loader.getClass(); type != null; type = type.getSuperclass()) {
            for (Class<?> implemented : type.getInterfaces()) {
                if (implemented.getName().equals("org.osgi.framework.BundleReference")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Class<?> find(ClassLoader loader, String name) {
        try {
            return loader.loadClass(name);
        } catch (ClassNotFoundException | LinkageError notThere) {
            return null;
        }
    }

}
