package io.github.sdagent.agent.launcher;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.function.Consumer;
import java.util.jar.JarFile;

/**
 * The {@code Premain-Class}/{@code Agent-Class}: the only agent code the application's class loader can see.
 * It decides whether we are under systemd, and if so registers the {@link StartGate} and returns; a thread of the
 * agent's own then loads the internals through an {@link IsolatedClassLoader} (a named module of its own on Java
 * 9+) and hands over to the internal {@code io.github.sdagent.agent.AgentMain}. It never throws and writes only to
 * stderr: an agent must not be the reason an application fails to start.
 */
public final class AgentLauncher {

    static final String AGENT_MAIN = "io.github.sdagent.agent.AgentMain";

    private AgentLauncher() {
    }

    public static void premain(String options, Instrumentation inst) {
        launch(options, inst, Thread.currentThread()); // the JVM runs premain on the main thread, before main
    }

    public static void agentmain(String options, Instrumentation inst) {
        launch(options, inst, null); // on the attach listener's thread: the main thread is found by its name
    }

    private static void launch(String options, Instrumentation inst, Thread mainThread) {
        long startNanos = System.nanoTime();
        try {
            if (!SystemdEnvironment.fromProcess().isUnderSystemd()) {
                return; // not under systemd: load nothing, cost nothing
            }
            StartGate.begin(options, inst, startNanos, mainThread);
        } catch (Throwable failure) {
            reportInternalError(failure);
        }
    }

    /**
     * Loads the internals and runs AgentMain.start; the application's start-up goes on meanwhile (see StartGate).
     * Synchronized: with the agent given twice, the second start must find the first one's bridge in place.
     * JDK types only in this class's method signatures: the JVM resolves them all when it looks up premain.
     */
    static synchronized void startInternals(String options, Instrumentation inst, long startNanos,
                                            Consumer<ClassFileTransformer> gate, Thread mainThread) {
        try {
            JarFile jar = AgentJar.open();
            ClassLoader internals = ModuleLayers.loadInternals(jar, AgentJar.url(), inst);
            // Through the JDK's Consumer, which both loaders share: no Method.invoke, whose first use on JDK 18+
            // spins method-handle classes for this signature that the JIT then compiles.
            @SuppressWarnings("unchecked")
            Consumer<Object[]> main = (Consumer<Object[]>) Class.forName(AGENT_MAIN, true, internals).getConstructor()
                    .newInstance();
            main.accept(new Object[] {options, inst, startNanos, jar, gate, mainThread});
        } catch (Throwable failure) {
            reportInternalError(failure);
        }
    }

    static void reportInternalError(Throwable failure) {
        Throwable cause = failure instanceof java.lang.reflect.InvocationTargetException ? failure.getCause() : failure;
        String message = String.valueOf(cause.getMessage());
        if (cause instanceof IllegalStateException && message.contains("Shutdown in progress")) {
            return; // the JVM began to stop while the agent was starting: a normal event, nothing to report
        }
        if (cause instanceof OutOfMemoryError && message.contains("unable to create native thread")) {
            System.err.println("sd-agent: cannot start a thread of its own (" + cause + "); a task limit such as "
                    + "TasksMax= or LimitNPROC= is reached. The agent is inactive and the application runs without it");
            return;
        }
        System.err.println("sd-agent: internal error, the agent is inactive and the application runs without it: "
                + cause);
    }
}
