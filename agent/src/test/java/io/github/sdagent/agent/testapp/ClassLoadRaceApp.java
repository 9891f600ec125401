package io.github.sdagent.agent.testapp;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Forces one interleaving of class loading between the application's main thread and the agent's start-up thread
 * (ClassLoadingRaceIT). Given as a {@code -javaagent} before sd-agent, its transformer sees every class before
 * sd-agent's does:
 * <ol>
 * <li>the agent's start-up thread ("sd-agent-start") is paused as it loads the hook engine, until the main thread is
 *     loading {@code java.lang.AssertionError} (main's first statement);</li>
 * <li>the main thread's load of that class is held (the JVM's loading lock on it is taken) until the start-up thread
 *     is waiting for AssertionError too, from inside the hook engine (its verifier needs it);</li>
 * <li>then main goes on into sd-agent's transformer with AssertionError.</li>
 * </ol>
 * A main thread descheduled in the middle of that load on a busy machine does the same: a Spring Boot fat jar's
 * launcher loads AssertionError while the agent starts. main prints "loaded" once the class is loaded; the agent
 * part says on stderr whether the interleaving was forced ("forced: ...") or not ("not forced: ...").
 */
public final class ClassLoadRaceApp {

    static final String RACED = "java/lang/AssertionError";
    static final String PAUSE_AT = "io/github/sdagent/agent/hooks/HookEngine";
    static final long MAX_WAIT_MILLIS = 30_000;
    static final CountDownLatch MAIN_LOADING = new CountDownLatch(1);

    public static void main(String[] args) throws Exception {
        Class.forName(RACED.replace('/', '.'));
        System.out.println("loaded");
    }

    public static void premain(String options, Instrumentation inst) {
        // Loads what printing, looking at the threads and sleeping need (JDK 25's Thread.sleep loads classes of its
        // own), so that main loads nothing else while it holds AssertionError.
        System.err.println("race agent: holding " + RACED + " on main until the agent's start-up thread needs it");
        startThreadStack();
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        inst.addTransformer(new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
                                    byte[] classFile) {
                String thread = Thread.currentThread().getName();
                if (redefined == null && PAUSE_AT.equals(name) && thread.equals("sd-agent-start")) {
                    pauseUntilMainIsLoading();
                } else if (redefined == null && RACED.equals(name) && thread.equals("main")) {
                    MAIN_LOADING.countDown();
                    System.err.println(holdUntilTheStartThreadWaitsForIt());
                }
                return null;
            }
        });
    }

    static void pauseUntilMainIsLoading() {
        try {
            if (!MAIN_LOADING.await(MAX_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                System.err.println("not forced: main did not load " + RACED + " within " + MAX_WAIT_MILLIS + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Three looks in a row, 200 ms apart: a JDK class loaded in passing is no wait. */
    static String holdUntilTheStartThreadWaitsForIt() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MILLIS);
        int inARow = 0;
        StackTraceElement[] last = new StackTraceElement[0];
        while (System.nanoTime() < deadline) {
            last = startThreadStack();
            if (last == null) {
                return "not forced: the agent's start-up thread has ended";
            }
            inARow = waitsForABootstrapClassInTheHookEngine(last) ? inARow + 1 : 0;
            if (inARow == 3) {
                return "forced: main held " + RACED + " until the agent's start-up thread waited for it in the hook engine";
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return "not forced: the agent's start-up thread never waited for " + RACED + "; its stack: "
                + Arrays.toString(last);
    }

    static StackTraceElement[] startThreadStack() {
        for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
            if (thread.getKey().getName().equals("sd-agent-start") && thread.getKey().isAlive()) {
                return thread.getValue();
            }
        }
        return null;
    }

    static boolean waitsForABootstrapClassInTheHookEngine(StackTraceElement[] stack) {
        if (stack.length == 0 || !stack[0].getMethodName().equals("findBootstrapClass")) {
            return false;
        }
        for (StackTraceElement frame : stack) {
            if (frame.getClassName().startsWith("io.github.sdagent.agent.hooks.HookEngine")) {
                return true;
            }
        }
        return false;
    }
}
