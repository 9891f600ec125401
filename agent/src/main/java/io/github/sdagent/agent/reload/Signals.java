package io.github.sdagent.agent.reload;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Replaces the JVM's handler of a signal with a task, through {@code sun.misc.Signal} (module jdk.unsupported). The
 * agent is compiled with {@code --release 8}, whose API has no {@code sun.misc}, hence reflection and a
 * {@link Proxy} for the handler interface (the same proxy class ShutdownNotice's handlers use: the JDK caches proxy
 * classes per loader and interface, so this spins no new class).
 *
 * <p>The JVM runs a Java signal handler on a new thread of its own ("SIGHUP handler"); the task must only hand the
 * work to the agent's own threads and return.
 */
public final class Signals {

    private Signals() {
    }

    /**
     * From now on {@code name} (HUP, USR1, ...) runs {@code task} instead of its previous handler.
     *
     * @return a description of the previous handler: "the JVM's handler" (for SIGHUP: a shutdown), "none" for the
     *         default action, "ignored", else the handler's class (an application's own handler, which is replaced)
     * @throws Exception when the JVM refuses (-Xrs, a signal it uses itself) or jdk.unsupported is missing; the
     *                   message says which
     */
    public static String replace(String name, Runnable task) throws Exception {
        Class<?> signalType = Class.forName("sun.misc.Signal");
        Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
        Method handle = signalType.getMethod("handle", signalType, handlerType);
        Method handleSignal = handlerType.getMethod("handle", signalType);
        Object signal = signalType.getConstructor(String.class).newInstance(name);
        Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerType},
                new Handler(name, task, handleSignal));
        Object previous;
        try {
            previous = handle.invoke(null, signal, handler);
        } catch (InvocationTargetException e) { // IllegalArgumentException: "Signal already used by VM or OS: SIGHUP"
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
        if (previous == handlerType.getField("SIG_DFL").get(null)) {
            return "none";
        }
        if (previous == handlerType.getField("SIG_IGN").get(null)) {
            return "ignored";
        }
        // The JVM's own handler for HUP, INT and TERM is java.lang.Terminator's, which begins System.exit; Java 9+
        // hands JDK-internal handlers back wrapped in sun.misc.Signal$SunMiscHandler, an application's as they are.
        String type = previous.getClass().getName();
        return type.startsWith("java.lang.Terminator") || type.startsWith("sun.misc.Signal$") ? "the JVM's handler"
                : type;
    }

    /** The proxy's invocation handler (a class: no lambdas on the agent's start path). */
    private static final class Handler implements InvocationHandler {
        private final String name;
        private final Runnable task;
        private final Method handleSignal;

        Handler(String name, Runnable task, Method handleSignal) {
            this.name = name;
            this.task = task;
            this.handleSignal = handleSignal;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            if (method.equals(handleSignal)) {
                task.run();
                return null;
            }
            switch (method.getName()) {
                case "hashCode": return System.identityHashCode(proxy);
                case "equals": return proxy == args[0];
                default: return "sd-agent SIG" + name + " handler";
            }
        }
    }
}
