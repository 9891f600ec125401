package io.github.sdagent.agent.ready;

import io.github.sdagent.agent.ready.ServingEvidence.MainThread;

/**
 * Samples whether the application's main thread has settled: it has finished, or is blocked for good: WAITING (join,
 * await, park without a timeout), RUNNABLE inside a socket accept or a selector's wait (a main thread that became an
 * accept or event loop), or TIMED_WAITING (a sleep, a timed wait) without a break for {@code sleepSettleNanos} (a
 * main thread that sleeps in a loop until shutdown, as embedded Tomcat's {@code Server#await} does without a shutdown
 * port; a shorter sleep counts as a start delay). One {@link Thread#getState} per sample, plus one stack trace of that
 * thread when it is RUNNABLE. Sampled on the agent's thread, only while auto waits: for listener evidence
 * ({@link ServingEvidence}) or for the main thread after the last preset call returned ({@link MainThreadSettle}).
 */
public final class MainThreadProbe {

    /** The fallback's patience with a sleeping main thread: longer than any start delay seen between listeners. */
    static final long FALLBACK_SLEEP_SETTLE_NANOS = 10_000_000_000L;

    private final Thread main;
    private final long sleepSettleNanos;
    private long timedWaitingSince = -1; // sampled on one thread at a time

    MainThreadProbe(Thread main, long sleepSettleNanos) {
        this.main = main;
        this.sleepSettleNanos = sleepSettleNanos;
    }

    /** The main thread found by {@link #find}, judged with another patience for sleeping. */
    MainThreadProbe withSleepSettle(long nanos) {
        return new MainThreadProbe(main, nanos);
    }

    /** Whether {@code thread} is the main thread this probe samples. */
    boolean isMain(Thread thread) {
        return thread == main;
    }

    /** A probe of {@code mainThread} (the thread premain ran on, whatever it is called now), else {@link #find}. */
    public static MainThreadProbe of(Thread mainThread) {
        return mainThread != null ? new MainThreadProbe(mainThread, FALLBACK_SLEEP_SETTLE_NANOS) : find();
    }

    /** The thread named "main" in the main thread group, or null when it has ended (or was renamed) before we looked. */
    public static MainThreadProbe find() {
        ThreadGroup group = Thread.currentThread().getThreadGroup();
        while (group.getParent() != null && !"main".equals(group.getName())) {
            group = group.getParent();
        }
        Thread[] threads = new Thread[group.activeCount() + 8];
        int count = group.enumerate(threads, true);
        for (int i = 0; i < count; i++) {
            if ("main".equals(threads[i].getName())) {
                return new MainThreadProbe(threads[i], FALLBACK_SLEEP_SETTLE_NANOS);
            }
        }
        return new MainThreadProbe(null, FALLBACK_SLEEP_SETTLE_NANOS);
    }

    public MainThread sample() {
        if (main == null) {
            return MainThread.SETTLED;
        }
        Thread.State state = main.getState();
        if (state != Thread.State.TIMED_WAITING) {
            timedWaitingSince = -1;
        }
        switch (state) {
            case TERMINATED:
            case WAITING:
                return MainThread.SETTLED;
            case RUNNABLE:
                return inAccept(main.getStackTrace()) ? MainThread.SETTLED : MainThread.RUNNING;
            case TIMED_WAITING:
                long now = System.nanoTime();
                if (timedWaitingSince < 0) {
                    timedWaitingSince = now;
                }
                return now - timedWaitingSince >= sleepSettleNanos ? MainThread.SETTLED : MainThread.RUNNING;
            default:
                return MainThread.RUNNING;
        }
    }

    /**
     * Whether the innermost frames are a server socket's accept (ServerSocket, NIO channel, JDK 8 to 25) or a
     * selector's wait (sun.nio.ch.EPoll.wait / EPollArrayWrapper.epollWait, the poll selector).
     */
    static boolean inAccept(StackTraceElement[] stack) {
        for (int i = 0; i < stack.length && i < 8; i++) {
            String method = stack[i].getMethodName();
            String type = stack[i].getClassName();
            boolean jdk = type.startsWith("sun.nio.ch.") || type.startsWith("java.net.") || type.startsWith("java.nio.");
            if (jdk && (method.equals("accept") || method.equals("accept0") || method.equals("socketAccept")
                    || method.equals("epollWait") || (method.equals("wait") && type.equals("sun.nio.ch.EPoll"))
                    || (method.equals("poll") && type.equals("sun.nio.ch.Net")))) {
                return true;
            }
        }
        return false;
    }
}
