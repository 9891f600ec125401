package io.github.sdagent.agent.launcher;

import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.ProtectionDomain;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The agent's only class file transformer, registered in premain before anything else so that the agent's own
 * start-up (module, internals, configuration, hook engine: tens of milliseconds) can run on a thread of its own,
 * overlapped with the application's start-up, without ever missing a hook.
 *
 * <p>While that start-up runs, the gate holds back only the classes the agent must see first: the classes named
 * by a {@code ready=} hook, classes whose header lists one of them as an interface (implementors of a hooked
 * interface load before the interface), and {@code java.lang.ProcessBuilder} (children must not inherit
 * NOTIFY_SOCKET). No instance of a hooked type can exist before its class has loaded, so nothing that counts can
 * run early. Every other class goes through at once. When start-up ends, held classes continue, and from then on
 * every class is handed to the transformers the internals registered through {@link #accept}.
 *
 * <p>The names come from a superset read of the same sources the configuration uses (agent options,
 * {@code -Dsdagent.*} properties, the {@code config=} file): every class name written before a '#'. Holding one
 * class too many costs nothing; parsing and validation stay with the configuration.
 */
final class StartGate implements ClassFileTransformer, Consumer<ClassFileTransformer> {

    static final String PROCESS_BUILDER = "java/lang/ProcessBuilder";
    /** Longer than any start-up we have seen by far, short of systemd's default start timeout (90 s). */
    static final long MAX_HOLD_SECONDS = 30;

    private final Set<String> held;
    private final Set<String> heldInterfaces;
    private final List<ClassFileTransformer> delegates = new CopyOnWriteArrayList<>();
    private final CountDownLatch opened = new CountDownLatch(1);
    private volatile boolean open;
    private volatile Thread startThread;

    /**
     * With sockets passed by systemd, the JDK classes whose binds socket activation serves (package activation)
     * wait too: an application binding during the agent's start-up must get the inherited socket, not its own.
     */
    static final String[] BIND_CLASSES = {"sun/nio/ch/ServerSocketChannelImpl", "sun/nio/ch/NioSocketImpl",
            "sun/nio/ch/DatagramChannelImpl", "sun/nio/ch/AsynchronousServerSocketChannelImpl",
            "java/net/AbstractPlainSocketImpl", "java/net/AbstractPlainDatagramSocketImpl",
            "io/netty/channel/unix/Socket"};

    StartGate(Set<String> hookClasses) {
        this(hookClasses, false);
    }

    /**
     * @param bindClasses whether the JDK bind classes wait too: with sockets passed by systemd, or when readiness
     *                    watches the application's listeners (ready=auto's fallback, listen:), which must not miss a
     *                    listener opened during the agent's start-up
     */
    StartGate(Set<String> hookClasses, boolean bindClasses) {
        Set<String> names = new HashSet<>(hookClasses);
        names.add(PROCESS_BUILDER);
        if (bindClasses) {
            java.util.Collections.addAll(names, BIND_CLASSES);
        }
        this.held = names;
        // the presets and console appenders are classes, never interfaces: no header reading on their account
        Set<String> interfaces = new HashSet<>(hookClasses);
        interfaces.removeAll(java.util.Arrays.asList(PRESET_CLASSES));
        interfaces.removeAll(java.util.Arrays.asList(CONSOLE_CLASSES));
        this.heldInterfaces = interfaces;
    }

    /**
     * Registers a gate for the hooks named in the agent's configuration and starts the agent's start-up thread.
     * Here, not in the launcher: the JVM resolves every type in the launcher's method signatures when it looks up
     * premain, also when we are not under systemd and this class is not needed.
     */
    static void begin(String agentOptions, Instrumentation inst, long startNanos, Thread mainThread) {
        Set<String> hookClasses = hookClasses(agentOptions, System.getProperties());
        StartGate gate = new StartGate(hookClasses, SystemdEnvironment.fromProcess().passedSockets()
                || observesListeners(hookClasses, agentOptions, System.getProperties()));
        inst.addTransformer(gate, true);
        if (!startsBesideTheApplication(StartGate.class.getClassLoader())) {
            gate.startedOn(Thread.currentThread()); // its own class loads are never held
            try {
                AgentLauncher.startInternals(agentOptions, inst, startNanos, gate, mainThread);
            } finally {
                gate.open();
            }
            return;
        }
        // No lambda here: the first one in a JVM costs milliseconds of java.lang.invoke set-up on this thread.
        Thread start = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    AgentLauncher.startInternals(agentOptions, inst, startNanos, gate, mainThread);
                } finally {
                    gate.open();
                }
            }
        }, "sd-agent-start");
        start.setDaemon(true);
        gate.startedOn(start);
        startOrStandAside(gate, start, inst);
    }

    /**
     * Starts the start-up thread; when it cannot start (a task limit: TasksMax=, LimitNPROC=), nothing may wait for
     * it, so the gate opens and leaves, and the application runs without the agent.
     *
     * @return whether the thread started
     */
    static boolean startOrStandAside(StartGate gate, Thread start, Instrumentation inst) {
        try {
            start.start();
            return true;
        } catch (Throwable cannotStart) {
            gate.open();
            inst.removeTransformer(gate);
            AgentLauncher.reportInternalError(cannotStart);
            return false;
        }
    }

    /**
     * Whether the internals may load on a thread of their own while the application starts. Not when the launcher
     * was defined by a class loader that is not parallel-capable (a custom {@code -Djava.system.class.loader}, to
     * which the JDK appends the agent jar): the JVM then locks that loader for every class it loads, so an
     * application thread held in {@link #transform} while loading a hooked class holds the very lock the start-up
     * thread needs to resolve a launcher class, and both would wait for each other. Then the start-up runs here,
     * in premain, before any application class loads, and the gate never holds anything. Only the JDK's own
     * application loaders are known to be parallel-capable without asking (which Java 8's API cannot).
     */
    static boolean startsBesideTheApplication(ClassLoader launcherLoader) {
        if (launcherLoader == null) {
            return false;
        }
        String type = launcherLoader.getClass().getName();
        return type.equals("jdk.internal.loader.ClassLoaders$AppClassLoader")
                || type.equals("sun.misc.Launcher$AppClassLoader");
    }

    /**
     * The classes of ready=auto's presets (io.github.sdagent.agent.ready.Presets, which PresetsTest keeps in step
     * with this list): held like hook classes while auto may apply, since a fast application constructs its server
     * before the agent's start-up ends, and an instance constructed before its class is hooked never counts.
     */
    static final String[] PRESET_CLASSES = {
        "org/springframework/boot/SpringApplication", "io/quarkus/runtime/Application", "io/micronaut/http/server/netty/NettyHttpServer",
        "io/dropwizard/core/Application", "io/dropwizard/Application", "org/eclipse/jetty/server/Server",
        "org/apache/catalina/core/StandardService", "io/netty/bootstrap/ServerBootstrap", "io/undertow/Undertow",
        "com/sun/net/httpserver/HttpServer", "io/vertx/core/http/impl/HttpServerImpl", "io/helidon/webserver/LoomServer",
        "io/grpc/internal/ServerImpl", "com/linecorp/armeria/server/Server", "org/jboss/as/server/ServerService",
    };

    /**
     * Console appenders that keep the System.out/err they found when they were built (Log4j 2's ConsoleAppender,
     * with its default follow=false): with a {@code log:} term they wait until the agent's start-up has wrapped
     * System.out/err (LogWatch), or their lines would never be seen. Logback's needs no holding: its ConsoleTarget
     * looks System.out up on every write. JUL's ConsoleHandler keeps System.err too, but is not held: it is created
     * under LogManager's locks, which the agent's start-up may need itself (JNA logs through JUL).
     */
    static final String[] CONSOLE_CLASSES = {"org/apache/logging/log4j/core/appender/ConsoleAppender"};

    /** The internal names (a/b/C) of the classes named by ready (and reload) hooks, from every source the configuration reads. */
    static Set<String> hookClasses(String agentOptions, Properties systemProperties) {
        StringBuilder text = new StringBuilder();
        text.append(agentOptions == null ? "" : agentOptions).append('\n');
        text.append(systemProperties.getProperty("sdagent.ready", "")).append('\n');
        text.append(systemProperties.getProperty("sdagent.reload", "")).append('\n'); // its instances are tracked
        // auto applies unless ready= is given somewhere without an auto term (a superset: holding too much is harmless)
        StringBuilder readyValues = new StringBuilder();
        readyValues.append(optionValue(agentOptions, "ready")).append(systemProperties.getProperty("sdagent.ready"));
        boolean readyGiven = optionValue(agentOptions, "ready") != null || systemProperties.getProperty("sdagent.ready") != null;
        for (String config : new String[] {optionValue(agentOptions, "config"),
                systemProperties.getProperty("sdagent.config")}) {
            if (config != null && !config.trim().isEmpty()) {
                try {
                    String file = new String(Files.readAllBytes(Paths.get(config.trim())), StandardCharsets.UTF_8);
                    for (String line : file.split("\n")) {
                        String key = line.trim();
                        if (key.startsWith("ready") && key.substring(5).trim().matches("^[=:].*")) { // ready= or ready:
                            readyGiven = true;
                            readyValues.append(line);
                        }
                    }
                    text.append(file);
                } catch (IOException | RuntimeException unreadable) {
                    // the configuration reports it; there is nothing to hold for a file we cannot read
                }
            }
        }
        Set<String> names = classNamesBeforeHash(text);
        if (!readyGiven || readyValues.indexOf("auto") >= 0) {
            java.util.Collections.addAll(names, PRESET_CLASSES);
        }
        if (readyValues.indexOf("log:") >= 0) {
            java.util.Collections.addAll(names, CONSOLE_CLASSES);
        }
        return names;
    }

    /**
     * Whether readiness watches the application's listeners: auto applies (its presets are among the hook classes)
     * or a listen: term is given in an option, the system property or the config file.
     */
    static boolean observesListeners(Set<String> hookClasses, String agentOptions, Properties systemProperties) {
        if (hookClasses.contains(PRESET_CLASSES[0])) {
            return true;
        }
        StringBuilder values = new StringBuilder();
        values.append(optionValue(agentOptions, "ready")).append(systemProperties.getProperty("sdagent.ready"));
        for (String config : new String[] {optionValue(agentOptions, "config"),
                systemProperties.getProperty("sdagent.config")}) {
            if (config != null && !config.trim().isEmpty()) {
                try {
                    values.append(new String(Files.readAllBytes(Paths.get(config.trim())), StandardCharsets.UTF_8));
                } catch (IOException | RuntimeException unreadable) {
                    // the configuration reports it
                }
            }
        }
        return values.indexOf("listen:") >= 0;
    }

    /** Every {@code a.b.C} directly before a '#', as {@code a/b/C}. */
    static Set<String> classNamesBeforeHash(CharSequence text) {
        Set<String> names = new HashSet<>();
        for (int hash = 0; hash < text.length(); hash++) {
            if (text.charAt(hash) != '#') {
                continue;
            }
            int start = hash;
            while (start > 0 && (Character.isJavaIdentifierPart(text.charAt(start - 1)) || text.charAt(start - 1) == '.')) {
                start--;
            }
            if (start < hash) {
                names.add(text.subSequence(start, hash).toString().replace('.', '/'));
            }
        }
        return names;
    }

    private static String optionValue(String agentOptions, String key) {
        if (agentOptions == null) {
            return null;
        }
        for (String option : agentOptions.split(",")) {
            int eq = option.indexOf('=');
            if (eq > 0 && option.substring(0, eq).trim().equals(key)) {
                return option.substring(eq + 1);
            }
        }
        return null;
    }

    /** The agent's start-up runs on this thread; its own class loads are never held. */
    void startedOn(Thread thread) {
        startThread = thread;
    }

    /** Registers one of the internals' transformers (the hook engine, the child-environment scrubbing). */
    @Override
    public void accept(ClassFileTransformer transformer) {
        delegates.add(transformer);
    }

    /** Start-up is over, successfully or not: held classes continue. */
    void open() {
        open = true;
        opened.countDown();
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classFile) throws IllegalClassFormatException {
        // The cheap tests first: the header reading in mustWait is not for the agent's own classes and start-up thread
        // (some 300 classes while the gate is closed, and what the JIT then compiled of it)
        if (!open && classBeingRedefined == null && internalName != null && Thread.currentThread() != startThread
                && !(loader instanceof IsolatedClassLoader) && mustWait(internalName, classFile)) {
            awaitStart(internalName);
        }
        byte[] current = null;
        for (ClassFileTransformer delegate : delegates) {
            byte[] changed = delegate.transform(loader, internalName, classBeingRedefined, protectionDomain,
                    current == null ? classFile : current);
            if (changed != null) {
                current = changed;
            }
        }
        return current;
    }

    private boolean mustWait(String internalName, byte[] classFile) {
        if (held.contains(internalName)) {
            return true;
        }
        try {
            return !heldInterfaces.isEmpty() && ClassHeader.listsInterface(classFile, heldInterfaces);
        } catch (RuntimeException malformed) {
            return false; // the JVM will say what is wrong with it
        }
    }

    private void awaitStart(String internalName) {
        try {
            if (!opened.await(MAX_HOLD_SECONDS, TimeUnit.SECONDS)) {
                System.err.println("sd-agent: the agent's start-up has not finished after " + MAX_HOLD_SECONDS
                        + " s; " + internalName.replace('/', '.') + " loads without the agent's hooks");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
