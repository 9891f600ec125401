package io.github.sdagent.agent.lifecycle;

import io.github.sdagent.agent.AgentLog;

/**
 * Calls a task as early as JVM shutdown can be observed. Two ways, both installed:
 * <ul>
 * <li>A shutdown hook, registered during premain. It covers System.exit and every signal, but the JDK starts all
 * application shutdown hooks at the same moment, in no defined order, so it runs alongside the application's own.</li>
 * <li>A SIGTERM/SIGINT handler (sun.misc.Signal, jdk.unsupported) that runs the task and then the JVM's previous
 * handler, which begins the shutdown. For {@code systemctl stop} this puts STOPPING=1 before any application hook has
 * started. An application that installs its own handler later replaces this one; the shutdown hook still fires.
 * A real handler class ({@link SignalNotice}), not a Proxy through reflection: see there.</li>
 * </ul>
 */
public final class ShutdownNotice {

    private ShutdownNotice() {
    }

    /** @param thenProgress runs after the stopping notice (watchdog.StopProgress: names the hooks still running) */
    public static void install(Lifecycle lifecycle, Runnable thenProgress, AgentLog log) {
        Thread hook = new Thread(new Both(lifecycle.stoppingTask("JVM shutdown"), thenProgress), "sd-agent-stopping");
        Runtime.getRuntime().addShutdownHook(hook);
        for (String signal : new String[] {"TERM", "INT"}) {
            try {
                SignalNotice.install(signal, new Both(lifecycle.stoppingTask("SIG" + signal), thenProgress));
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
}
