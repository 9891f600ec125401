package io.github.sdagent.agent.activation;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.function.Consumer;

/**
 * The registry other features use to watch the application's listening sockets ({@link #subscribe}) or to serve
 * its binds with sockets of their own ({@link #adoptWith}, socket activation). The interception behind it is
 * installed by the first caller, once per JVM; until someone calls, nothing is loaded, woven or registered.
 * Never throws: when the interception cannot be installed the problem goes to {@code problems} and the
 * application's binds stay as they are.
 */
public final class Listeners {

    static final String BRIDGE_PACKAGE = "io/github/sdagent/agent/bridge/listen/";
    private static BindInterception interception;
    private static boolean failed;

    private Listeners() {
    }

    /**
     * {@code observer} is told about every socket the application starts listening on from now on.
     *
     * @param nativeInit run once before the interception's first libc call (getsockname), or null
     */
    public static synchronized boolean subscribe(Instrumentation inst, Consumer<ClassFileTransformer> transformers,
                                                 ListenerObserver observer, Consumer<String> problems,
                                                 Runnable nativeInit) {
        return installed(inst, transformers, problems, null, observer, nativeInit) != null;
    }

    /** {@code adopter} decides, before each bind, whether an existing socket serves it; one adopter per JVM. */
    static synchronized boolean adoptWith(Instrumentation inst, Consumer<ClassFileTransformer> transformers,
                                          BindAdopter adopter, Consumer<String> problems) {
        return installed(inst, transformers, problems, adopter, null, null) != null;
    }

    /** The interception with {@code adopter}/{@code observer} (either may be null) in place before any bind reaches it. */
    private static BindInterception installed(Instrumentation inst, Consumer<ClassFileTransformer> transformers,
                                              Consumer<String> problems, BindAdopter adopter,
                                              ListenerObserver observer, Runnable nativeInit) {
        if (interception != null) {
            add(interception, adopter, observer, nativeInit);
            return interception;
        }
        if (failed) {
            return null;
        }
        try {
            defineBridge(inst);
            BindInterception created = BindInterception.create(inst, problems);
            add(created, adopter, observer, nativeInit);
            created.weave(inst, transformers);
            interception = created;
        } catch (Throwable t) {
            failed = true;
            problems.accept("socket interception unavailable on this JVM (" + t + "); binds are left alone");
        }
        return interception;
    }

    /** The bind interception's bridge package, defined in the bootstrap loader only now that it is needed. */
    private static void defineBridge(Instrumentation inst) throws Exception {
        java.net.URL location = Listeners.class.getProtectionDomain().getCodeSource().getLocation();
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(new java.io.File(location.toURI()), false)) {
            io.github.sdagent.agent.BootstrapClasses.defineLater(inst, jar, BRIDGE_PACKAGE);
        }
    }

    private static void add(BindInterception to, BindAdopter adopter, ListenerObserver observer,
                            Runnable nativeInit) {
        if (nativeInit != null) {
            to.nativeInit = nativeInit;
        }
        if (adopter != null) {
            to.adopter = adopter;
        }
        if (observer != null) {
            to.observers.add(observer);
        }
    }
}
