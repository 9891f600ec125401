package io.github.sdagent.agent.ready;

import io.github.sdagent.agent.activation.ListenerObserver;
import io.github.sdagent.agent.activation.ListeningSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The readiness that comes from the application's listening sockets, fed by socket activation's listener registry:
 * {@code ready=listen:PORT} terms (met at the listen itself, on the application's thread) and the fallback of
 * {@code ready=auto} when no preset applies ({@link ServingEvidence}, decided by {@link #run} on the agent thread,
 * every {@link #POLL_MILLIS} while auto waits and no preset was seen).
 */
final class ListenerReadiness implements ListenerObserver, Runnable {

    /** How often the fallback samples the main thread: a fraction of the settle window. */
    static final long POLL_MILLIS = 200;

    private final ReadySink sink;
    private final List<ListenCondition> pending; // listen: terms not met yet
    private final AutoReadiness auto; // null: no fallback to decide
    private final ServingEvidence evidence;
    private final MainThreadProbe mainThread;
    private volatile ScheduledFuture<?> poll;
    private java.lang.management.ClassLoadingMXBean classLoading; // the agent thread's only

    /**
     * Subscribes to the listener registry (installing the bind/listen interception) for listen: and auto's
     * fallback. Here, not in ReadyConditions, so that nothing of the activation package loads (not even for the
     * verifier) unless one of them is configured.
     */
    static void install(ReadySpec spec, AutoReadiness auto, Instrumentation inst,
                        Consumer<ClassFileTransformer> transformers, ReadySink sink,
                        ScheduledExecutorService agentThread, Runnable nativeInit, Thread mainThread) {
        ServingEvidence evidence = auto == null ? null : new ServingEvidence(ServingEvidence.jvmOwnPorts(
                System.getProperties(), jvmArguments()), ServingEvidence.DEFAULT_SETTLE_NANOS);
        ListenerReadiness listeners = new ListenerReadiness(sink, spec.listens(), auto, evidence,
                auto == null ? null : MainThreadProbe.of(mainThread));
        if (!io.github.sdagent.agent.activation.Listeners.subscribe(inst, transformers, listeners,
                new ProblemsTo(sink), nativeInit)) {
            return; // the registry said why
        }
        if (!spec.listens().isEmpty()) {
            listeners.alreadyListening();
        }
        if (auto != null) {
            listeners.pollOn(agentThread);
        }
    }

    /**
     * The JVM's arguments, for a jdwp port: from JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS and /proc/self/cmdline, never
     * through the RuntimeMXBean (the platform MBean server is not to be touched during start-up).
     */
    private static java.util.List<String> jvmArguments() {
        String toolOptions = System.getenv("JAVA_TOOL_OPTIONS");
        String jdkOptions = System.getenv("JDK_JAVA_OPTIONS");
        java.util.List<String> arguments = new java.util.ArrayList<>();
        for (String options : new String[] {toolOptions, jdkOptions}) {
            if (options != null) {
                java.util.Collections.addAll(arguments, options.trim().split("\\s+"));
            }
        }
        try { // /proc/self/cmdline: the java command line as given, without the JMX machinery
            byte[] cmdline = java.nio.file.Files.readAllBytes(java.nio.file.Paths.get("/proc/self/cmdline"));
            for (String argument : new String(cmdline, java.nio.charset.StandardCharsets.UTF_8).split("\u0000")) {
                arguments.add(argument);
            }
        } catch (Throwable unreadable) {
            // no jdwp port known: a debug port listens natively, outside the interception, anyway
        }
        return arguments;
    }

    private static final class ProblemsTo implements Consumer<String> {
        private final ReadySink sink;

        ProblemsTo(ReadySink sink) {
            this.sink = sink;
        }

        @Override
        public void accept(String oneLine) {
            sink.problem(oneLine);
        }
    }

    ListenerReadiness(ReadySink sink, List<ListenCondition> listens, AutoReadiness auto, ServingEvidence evidence,
                      MainThreadProbe mainThread) {
        this.sink = sink;
        this.pending = new ArrayList<>(listens);
        this.auto = auto;
        this.evidence = evidence;
        this.mainThread = mainThread;
    }

    /** Starts the fallback's polling on the agent thread (only when auto is configured). */
    void pollOn(ScheduledExecutorService thread) {
        poll = thread.scheduleWithFixedDelay(this, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void listening(ListeningSocket socket) {
        if (!socket.kind().isStream() || socket.localAddress() == null) {
            return; // a datagram bind serves, but nobody connects to it: no evidence of serving connections
        }
        String host = text(socket.localAddress().getAddress());
        int port = socket.localAddress().getPort();
        if (evidence != null) {
            evidence.listenerUp(host, port, socket.ephemeralBind(), System.nanoTime());
        }
        List<ListenCondition> met = new ArrayList<>();
        synchronized (pending) {
            for (int i = pending.size() - 1; i >= 0; i--) {
                if (pending.get(i).matches(host, port)) {
                    met.add(0, pending.remove(i));
                }
            }
        }
        for (ListenCondition condition : met) {
            sink.conditionMet(condition.toString(), "listening on " + (host.equals("0.0.0.0") || host.equals("::")
                    ? "" : host) + ":" + port);
        }
    }

    @Override
    public void bindFailed(io.github.sdagent.agent.activation.SocketKind kind, InetAddress address, int port,
                           String failure) {
        if (evidence == null || !kind.isStream()) {
            return;
        }
        String before = evidence.failedBind();
        evidence.bindFailed(text(address), port, failure);
        String now = evidence.failedBind();
        if (now != null && !now.equals(before) && !auto.presetSeen()) {
            sink.progress("Starting: the bind to " + now + " failed; waiting for a server to listen (ready=auto found "
                    + "no framework)");
        }
    }

    /**
     * listen:PORT terms (without an address) already met by a socket that listened before the interception was in
     * place (during the agent's start-up), from /proc: subscribe first, then look, and nothing falls between.
     */
    void alreadyListening() {
        for (int port : ListeningPorts.ports()) {
            List<ListenCondition> met = new ArrayList<>();
            synchronized (pending) {
                for (int i = pending.size() - 1; i >= 0; i--) {
                    if (!pending.get(i).hasAddress() && pending.get(i).matches("0.0.0.0", port)) {
                        met.add(0, pending.remove(i));
                    }
                }
            }
            for (ListenCondition condition : met) {
                sink.conditionMet(condition.toString(), "listening on :" + port);
            }
        }
    }

    /** {@code 0.0.0.0}, {@code ::}, {@code ::1}, {@code 127.0.0.1}: the forms ListenCondition and the status use. */
    static String text(InetAddress address) {
        if (address == null) {
            return "0.0.0.0";
        }
        if (address.isAnyLocalAddress()) {
            return address instanceof Inet6Address ? "::" : "0.0.0.0";
        }
        if (address instanceof Inet6Address && address.isLoopbackAddress()) {
            return "::1";
        }
        return address.getHostAddress();
    }

    /** One sample of the fallback rule, on the agent thread. */
    @Override
    public void run() {
        try {
            if (auto.presetSeen()) {
                stop(); // a preset decides (and a preset still starting is never pre-empted)
                return;
            }
            evidence.mainThread(mainThread.sample());
            long now = System.nanoTime();
            if (classLoading == null) { // the JVM's counter; no MBean server is involved (nor created)
                classLoading = java.lang.management.ManagementFactory.getClassLoadingMXBean();
            }
            evidence.classesLoaded(classLoading.getTotalLoadedClassCount(), now);
            String listeners = evidence.readyNow(now, auto.presetPending());
            if (listeners != null) {
                stop();
                sink.conditionMet("auto", "listening on " + listeners);
            }
        } catch (Throwable t) {
            stop();
            sink.problem("ready=auto: the listener fallback stopped: " + t);
        }
    }

    private void stop() {
        ScheduledFuture<?> current = poll;
        if (current != null) {
            current.cancel(false);
        }
    }
}
