package io.github.sdagent.agent;

import io.github.sdagent.agent.lifecycle.Notifier;
import io.github.sdagent.agent.lifecycle.Lifecycle;
import io.github.sdagent.agent.lifecycle.ShutdownNotice;
import io.github.sdagent.agent.lifecycle.ReadyHooks;

import io.github.sdagent.agent.config.AgentConfig;
import io.github.sdagent.agent.lifecycle.Elapsed;

import io.github.sdagent.agent.hooks.BridgeDispatcher;
import io.github.sdagent.agent.isolation.JnaProperties;
import io.github.sdagent.agent.isolation.NativeAccess;
import io.github.sdagent.agent.ready.ReadyConditions;
import io.github.sdagent.agent.watchdog.ServiceState;
import io.github.sdagent.agent.watchdog.StopProgress;
import io.github.sdagent.agent.watchdog.WatchdogFeatures;
import io.github.sdagent.agent.watchdog.WrapperWatchdog;
import io.github.sdagent.core.Daemon;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.file.Paths;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.jar.JarFile;

/**
 * The agent proper, called by the launcher (from the isolated loader) on its "sd-agent-start" thread once premain
 * knows we are under systemd; the application's start-up runs meanwhile. Nothing here may touch native code,
 * java.util.logging or the platform MBean server: the first native call (JNA) happens later on the "sd-agent"
 * thread.
 */
public final class AgentMain implements Consumer<Object[]> {

    /** When the JNA copies killed JVMs left behind are removed: well after any application's start-up work. */
    static final long STALE_COPIES_DELAY_SECONDS = 10;

    /** For the launcher, which calls {@link #accept} through the JDK's Consumer (no reflection beyond this). */
    public AgentMain() {
    }

    /** {@link #start}'s arguments, in its order. */
    @Override
    @SuppressWarnings("unchecked")
    public void accept(Object[] arguments) {
        start((String) arguments[0], (Instrumentation) arguments[1], (Long) arguments[2], (JarFile) arguments[3],
                (Consumer<ClassFileTransformer>) arguments[4], (Thread) arguments[5]);
    }

    /**
     * @param premainNanos {@code System.nanoTime()} when premain began
     * @param agentJar     the agent jar (for the bootstrap bridge classes)
     * @param transformers registers the agent's class file transformers (with the launcher's StartGate)
     * @param mainThread   the thread premain ran on (the application's main thread), null after a dynamic attach
     */
    public static void start(String options, Instrumentation inst, long premainNanos, JarFile agentJar,
                             Consumer<ClassFileTransformer> transformers, Thread mainThread) {
        Elapsed elapsed = Elapsed.sinceProcessStart(premainNanos);
        AgentLog log = AgentLog.stderr(System.getenv(), AgentLog.Level.INFO);
        AgentConfig config;
        try {
            config = AgentConfig.load(options, System.getProperties());
        } catch (IllegalArgumentException e) {
            reportConfigurationError(e.getMessage(), inst, log);
            return;
        }
        log = log.withLevel(config.logLevel());
        String notifySocketProblem = Daemon.notifySocketProblem();
        if (notifySocketProblem != null) { // said once, at start: nothing can reach systemd, so nothing is hooked
            log.error(notifySocketProblem + ". The agent stays inactive: it cannot tell systemd anything");
            return;
        }
        enableNativeAccess(inst, log);
        log.debug("configuration: " + config);
        for (String warning : config.warnings()) {
            log.warn(warning);
        }
        // JNA's initialisation (tens of ms) starts now, on the agent's own thread, beside the rest of the start-up
        // (bridge, hook engine) instead of after it: a fast application whose hook fires soon after its main class is
        // released must not wait for it before READY=1 can go out. Nothing is sent before the checks below.
        ScheduledExecutorService thread = AgentThread.create(log);
        thread.execute(new WarmUp());
        String bridge;
        try {
            bridge = BootstrapClasses.define(inst, agentJar);
        } catch (Exception | LinkageError e) {
            log.error("cannot install the bootstrap bridge (" + OneLine.summary(e) + "); the agent stays inactive");
            thread.shutdown();
            return;
        }
        if (BootstrapClasses.ALREADY_PRESENT.equals(bridge)) { // the bridge is JVM-wide: a second -javaagent
            log.warn("another sd-agent is already active in this JVM; this one stays inactive");
            thread.shutdown();
            return;
        }
        if (!BridgeDispatcher.claimBridge()) {
            log.error("other code has taken over the agent's hook bridge (io.github.sdagent.agent.bridge.HookBridge); "
                    + "the agent stays inactive");
            thread.shutdown();
            return;
        }
        log.debug("bridge classes: " + bridge);
        run(config, inst, transformers, elapsed, log, thread, mainThread);
    }

    /**
     * Loads the agent's JNA when there is a notify socket to reach with it. A failure is not said here: the first
     * send fails with the reason and says it (Notifier). A class, not a lambda: see {@link #DAEMON}.
     */
    private static final class WarmUp implements Runnable {
        @Override
        public void run() {
            if (Daemon.notifySocket() != null) {
                try {
                    JnaProperties.initializeQuietly();
                } catch (RuntimeException | LinkageError saidByTheFirstSend) {
                    // see above
                }
            }
        }
    }

    /** One stderr line, and the same text as STATUS= so `systemctl status` shows why the unit never gets ready. */
    private static void reportConfigurationError(String message, Instrumentation inst, AgentLog log) {
        log.error(message + ". The agent stays inactive (no hooks, no READY=1, no watchdog pings); "
                + "check options with: java -jar sd-agent.jar config OPTIONS");
        enableNativeAccess(inst, log);
        ScheduledExecutorService thread = AgentThread.create(log);
        Notifier notifier = new Notifier(DAEMON, thread, log);
        notifier.post("STATUS=sd-agent configuration error: " + OneLine.of(message));
    }

    private static void run(AgentConfig config, Instrumentation inst, Consumer<ClassFileTransformer> transformers,
                            Elapsed elapsed, AgentLog log, ScheduledExecutorService thread, Thread mainThread) {
        Notifier notifier = new Notifier(DAEMON, thread, log);
        notifier.holdDirectSends(); // until the watchdog runs, see below
        Long mainPid = mainPid(config, log);
        Lifecycle lifecycle = new Lifecycle(config, notifier, elapsed, log, mainPid);
        StopProgress stopProgress = new StopProgress(notifier, config.watchdogOptions().stopExtend(), inst, log);
        // At once, before the hooks are installed: the first message warms the notify path (socket, first sendmsg),
        // so that READY=1 later goes out from the hooked thread in one system call. The agent's JNA no longer touches
        // java.util.logging (see the isolation package), so nothing is gained by waiting for the application.
        thread.execute(new Runnable() {
            @Override
            public void run() {
                lifecycle.started();
                // In the same task, and READY=1 not sent directly before it is done: the watchdog must be running before
                // systemd and the application see READY=1 (an application that then fills its heap must not take the
                // watchdog's set-up down with it: ReliabilityIT#outOfMemoryAgainAndAgainLeavesTheAgentPingingAndReporting)
                try {
                    startWatchdog(config, notifier, lifecycle, inst, log, mainPid != null);
                    stopProgress.prepare();
                } finally {
                    notifier.releaseDirectSends();
                }
            }
        });
        thread.schedule(new Runnable() { // off the start path: see JnaProperties#deleteStaleCopies
            @Override
            public void run() {
                JnaProperties.deleteStaleCopies(Paths.get(System.getProperty("java.io.tmpdir")));
            }
        }, STALE_COPIES_DELAY_SECONDS, TimeUnit.SECONDS);
        ShutdownNotice.install(lifecycle, stopProgress.beginTask(), log);
        ChildEnvironment.install(inst, transformers, lifecycle.problems());
        if (System.getenv("LISTEN_FDS") != null || config.fdStore()) { // nothing of activation loads otherwise
            ActivationStart.start(config, inst, transformers, lifecycle, notifier, thread, log);
        }
        if (!config.ready().isEmpty()) {
            ReadyHooks.install(inst, transformers, config.ready(), lifecycle, config.hookGrace().toMillis());
        }
        if (config.reload() != null) {
            ReloadService.install(config, inst, transformers, lifecycle, notifier, log);
        }
        ReadyConditions.install(config.readySpec(), config.readyHttpInterval().toMillis(),
                config.readyHttpTimeout().toMillis(), inst, transformers, lifecycle, thread, JNA_INIT, mainThread);
    }

    /**
     * The real sender. Here and on the whole start path: classes, not lambdas or method references. Each lambda is
     * a class spun at run time (on JDK 24+ through the ClassFile API, which the JIT then compiles too), on the CPU
     * the application needs for its own start-up.
     */
    private static final Notifier.Sender DAEMON = new Notifier.Sender() {
        @Override
        public boolean send(String... assignments) throws java.io.IOException {
            JnaProperties.initializeQuietly();
            return Daemon.notify(false, assignments);
        }
    };

    /** Loads the agent's JNA quietly, before the listener registry's first libc call (getsockname). */
    private static final Runnable JNA_INIT = new Runnable() {
        @Override
        public void run() {
            JnaProperties.initializeQuietly();
        }
    };

    private static void enableNativeAccess(Instrumentation inst, AgentLog log) {
        try {
            boolean enabled = NativeAccess.enableForOwnModule(inst);
            log.debug("internals in " + NativeAccess.ownModule() + (enabled
                    ? "; native access enabled for the agent's module only" : "; no native access to enable"));
        } catch (Throwable e) {
            log.warn("could not enable native access for the agent's module (" + OneLine.summary(e)
                    + "); on JDK 24+ the JDK may warn about or deny JNA");
        }
    }

    /** MAINPID= goes with STATUS/READY when the JVM is not the process systemd started (a forking wrapper). */
    private static Long mainPid(AgentConfig config, AgentLog log) {
        try {
            switch (config.mainPid()) {
                case ON: return ProcessInfo.pid();
                case AUTO:
                    if (ProcessInfo.startedByWrapper()) {
                        long pid = ProcessInfo.pid();
                        long execPid = ProcessInfo.systemdExecPid(System.getenv("SYSTEMD_EXEC_PID"));
                        if (execPid > 0 && execPid != pid) { // said once: the usual reason a forked JVM never gets ready
                            log.info("this JVM (pid " + pid + ") is a child of the service's main process (pid " + execPid
                                    + "): systemd accepts its notifications only with NotifyAccess=all in the unit "
                                    + "(or start it with exec java); sending MAINPID=" + pid);
                        } else {
                            log.debug("parent process is not systemd: sending MAINPID=" + pid + " (needs NotifyAccess=all)");
                        }
                        return pid;
                    }
                    return null;
                default: return null;
            }
        } catch (Exception e) {
            log.warn("cannot determine this process's pid for MAINPID= (" + OneLine.summary(e) + ")");
            return null;
        }
    }

    private static void startWatchdog(AgentConfig config, Notifier notifier, Lifecycle lifecycle, Instrumentation inst,
                                      AgentLog log, boolean sentMainPid) {
        long usec;
        try {
            JnaProperties.initializeQuietly();
            log.debug("JNA native library: " + JnaProperties.loadedFrom());
            usec = Daemon.watchdogEnabled(false);
            if (usec == 0 && sentMainPid) {
                usec = WrapperWatchdog.inheritedUsec(System.getenv(), ProcessInfo.parentPid());
            }
        } catch (RuntimeException | java.io.IOException | LinkageError e) {
            log.warn("watchdog disabled: " + OneLine.summary(e));
            usec = 0;
        }
        WatchdogFeatures.start(config, usec, notifier, new LifecycleState(lifecycle), inst, log);
    }

    /** What the watchdog package sees of the Lifecycle. */
    private static final class LifecycleState implements ServiceState {
        private final Lifecycle lifecycle;

        LifecycleState(Lifecycle lifecycle) {
            this.lifecycle = lifecycle;
        }

        @Override
        public boolean isReady() {
            return lifecycle.isReady();
        }

        @Override
        public boolean isStopping() {
            return lifecycle.isStopping();
        }
    }
}
