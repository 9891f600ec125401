package io.github.sdagent.agent;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
        Object ignore = handlerType.getField("SIG_IGN").get(null);
        Object defaults = handlerType.getField("SIG_DFL").get(null);
        Object signal = signalType.getConstructor(String.class).newInstance(name);
        int number = (Integer) signalType.getMethod("getNumber").invoke(signal);
        Chained chained = new Chained(name, number, first, handlerType.getMethod("handle", signalType), ignore, defaults);
        Object ours = Proxy.newProxyInstance(ShutdownNotice.class.getClassLoader(), new Class<?>[] {handlerType}, chained);
        Object previous = handle.invoke(null, signal, ours);
        chained.previous(previous);
        if (previous == ignore || previous == defaults) { // not the JVM's handler: leave it alone
            handle.invoke(null, signal, previous);
        }
    }

    /**
     * Our handler: the early notice, then the handler that was there before ours (the JVM's, which begins the
     * shutdown). The previous handler is only known once installing ours has returned it, so a signal that arrives
     * in between waits for it (microseconds; bounded); whatever happens, the notice's failure never keeps the
     * JVM's own handling from running. A class, not a lambda: see AgentMain#DAEMON.
     */
    static final class Chained implements InvocationHandler {
        /** Far longer than installing a handler takes; only a broken JVM would reach it. */
        static final long PREVIOUS_WAIT_MILLIS = 1000;

        private final String name;
        private final int number;
        private final Runnable first;
        private final Method handleSignal;
        private final Object ignore;
        private final Object defaults;
        private final CountDownLatch known = new CountDownLatch(1);
        private volatile Object previous;

        Chained(String name, int number, Runnable first, Method handleSignal, Object ignore, Object defaults) {
            this.name = name;
            this.number = number;
            this.first = first;
            this.handleSignal = handleSignal;
            this.ignore = ignore;
            this.defaults = defaults;
        }

        void previous(Object handler) {
            previous = handler;
            known.countDown();
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.equals(handleSignal)) {
                try {
                    first.run();
                } catch (Throwable noticeFailed) {
                    // the JVM's own handling below matters more than our notice
                }
                Object next = awaitPrevious();
                if (next == ignore) {
                    return null;
                }
                if (next == null || next == defaults) {
                    // the JVM's handler for TERM/INT exits with 128 + the signal's number: do what it would have
                    Runtime.getRuntime().exit(128 + number);
                    return null;
                }
                handleSignal.invoke(next, args);
                return null;
            }
            switch (method.getName()) {
                case "hashCode": return System.identityHashCode(proxy);
                case "equals": return proxy == args[0];
                default: return "sd-agent SIG" + name + " notice";
            }
        }

        private Object awaitPrevious() {
            try {
                known.await(PREVIOUS_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return previous;
        }
    }
}
