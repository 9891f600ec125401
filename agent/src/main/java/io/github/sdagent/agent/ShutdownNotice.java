package io.github.sdagent.agent;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Calls a task as early as JVM shutdown can be observed. Two ways, both installed:
 * <ul>
 * <li>A shutdown hook, registered during premain. It covers System.exit and every signal, but the JDK starts all
 * application shutdown hooks at the same moment, in no defined order, so it runs alongside the application's own.</li>
 * <li>A SIGTERM/SIGINT handler (sun.misc.Signal, jdk.unsupported) that runs the task and then the JVM's previous
 * handler, which begins the shutdown. For {@code systemctl stop} this puts STOPPING=1 before any application hook has
 * started. An application that installs its own handler later replaces this one; the shutdown hook still fires.</li>
 * </ul>
 */
final class ShutdownNotice {

    private ShutdownNotice() {
    }

    /** @param thenProgress runs after the stopping notice (watchdog.StopProgress: names the hooks still running) */
    static void install(Lifecycle lifecycle, Runnable thenProgress, AgentLog log) {
        Thread hook = new Thread(new Both(lifecycle.stoppingTask("JVM shutdown"), thenProgress), "sd-agent-stopping");
        Runtime.getRuntime().addShutdownHook(hook);
        for (String signal : new String[] {"TERM", "INT"}) {
            try {
                chain(signal, new Both(lifecycle.stoppingTask("SIG" + signal), thenProgress));
            } catch (Throwable unavailable) { // -Xrs, no jdk.unsupported: the shutdown hook remains
                log.debug("no early SIG" + signal + " notice: " + unavailable);
            }
        }
    }

    /** One task, then another (a class, not a lambda: see AgentMain#DAEMON). */
    private static final class Both implements Runnable {
        private final Runnable first;
        private final Runnable second;

        Both(Runnable first, Runnable second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void run() {
            first.run();
            second.run();
        }
    }

    private static void chain(String name, Runnable first) throws Exception {
        Class<?> signalType = Class.forName("sun.misc.Signal");
        Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
        Method handle = signalType.getMethod("handle", signalType, handlerType);
        Method handleSignal = handlerType.getMethod("handle", signalType);
        Object ignore = handlerType.getField("SIG_IGN").get(null);
        Object defaults = handlerType.getField("SIG_DFL").get(null);
        Object signal = signalType.getConstructor(String.class).newInstance(name);
        Object[] previous = new Object[1];
        InvocationHandler invocation = new InvocationHandler() { // no lambda: see AgentMain#DAEMON
            @Override
            public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                if (method.equals(handleSignal)) {
                    first.run();
                    handleSignal.invoke(previous[0], args);
                    return null;
                }
                switch (method.getName()) {
                    case "hashCode": return System.identityHashCode(proxy);
                    case "equals": return proxy == args[0];
                    default: return "sd-agent SIG" + name + " notice";
                }
            }
        };
        Object ours = Proxy.newProxyInstance(ShutdownNotice.class.getClassLoader(), new Class<?>[] {handlerType}, invocation);
        previous[0] = handle.invoke(null, signal, ours);
        if (previous[0] == ignore || previous[0] == defaults) { // not the JVM's handler: leave it alone
            handle.invoke(null, signal, previous[0]);
        }
    }
}
