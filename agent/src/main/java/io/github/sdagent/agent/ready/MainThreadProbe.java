package io.github.sdagent.agent.ready;

import io.github.sdagent.agent.ready.ServingEvidence.MainThread;

/**
 * Samples whether the application's main thread has settled, for the fallback rule ({@link ServingEvidence}): it
 * has finished, or is blocked for good: WAITING (join, await, park without a timeout: a sleep is TIMED_WAITING and
 * counts as still starting) or RUNNABLE inside a socket accept (a main thread that became an accept loop). One
 * {@link Thread#getState} per sample, plus one stack trace of that thread when it is RUNNABLE. Sampled on the agent's
 * thread, only while auto waits for listener evidence.
 */
public final class MainThreadProbe {

    private final Thread main;

    MainThreadProbe(Thread main) {
        this.main = main;
    }

    /** The JVM's "main" thread (in the main thread group), or null when it has ended before we looked. */
    public static MainThreadProbe find() {
        ThreadGroup group = Thread.currentThread().getThreadGroup();
        while (group.getParent() != null && !"main".equals(group.getName())) {
            group = group.getParent();
        }
        Thread[] threads = new Thread[group.activeCount() + 8];
        int count = group.enumerate(threads, true);
        for (int i = 0; i < count; i++) {
            if ("main".equals(threads[i].getName())) {
                return new MainThreadProbe(threads[i]);
            }
        }
        return new MainThreadProbe(null);
    }

    public MainThread sample() {
        if (main == null) {
            return MainThread.SETTLED;
        }
        switch (main.getState()) {
            case TERMINATED:
            case WAITING:
                return MainThread.SETTLED;
            case RUNNABLE:
                return inAccept(main.getStackTrace()) ? MainThread.SETTLED : MainThread.RUNNING;
            default:
                return MainThread.RUNNING;
        }
    }

    /** Whether the innermost frames are a server socket's accept (ServerSocket, NIO channel, JDK 8 to 25). */
    static boolean inAccept(StackTraceElement[] stack) {
        for (int i = 0; i < stack.length && i < 8; i++) {
            String method = stack[i].getMethodName();
            String type = stack[i].getClassName();
            if ((method.equals("accept") || method.equals("accept0") || method.equals("socketAccept"))
                    && (type.startsWith("sun.nio.ch.") || type.startsWith("java.net.") || type.startsWith("java.nio."))) {
                return true;
            }
        }
        return false;
    }
}
