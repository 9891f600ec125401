package io.github.sdagent.agent.lifecycle;

import io.github.sdagent.agent.OneLine;
import io.github.sdagent.agent.hooks.HookSpec;

import io.github.sdagent.agent.config.AgentConfig;
import io.github.sdagent.agent.AgentLog;

import io.github.sdagent.agent.ready.ReadySink;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Turns what happens to the JVM into systemd's service states: STATUS while starting, READY=1 (exactly once) when
 * the ready hooks have returned as {@code ready-when} demands, "Startup failed" when a hook throws, STOPPING=1 as
 * soon as shutdown begins. Receives the hook engine's reports as its {@link HookListener}.
 */
public final class Lifecycle implements HookListener, ReadySink {

    /**
     * How long a stopping JVM waits for STOPPING=1 to leave (it queues behind READY/STATUS on the agent thread) once
     * the notify path is warm, or systemd has failed to take a message: a responsive systemd takes it in
     * microseconds, and a slow one must not hold the JVM's shutdown back for longer.
     */
    static final long STOPPING_WAIT_MILLIS = 250;
    /**
     * The wait before anything was sent: then the agent's own start (loading JNA, a few hundred ms on a busy
     * machine) is what STOPPING=1 waits for, not systemd, and a JVM that stops right after starting still says so.
     */
    static final long STOPPING_WAIT_COLD_MILLIS = 1000;

    private final AgentConfig config;
    private final Notifier notifier;
    private final Elapsed elapsed;
    private final AgentLog log;
    private final String mainPid; // "MAINPID=n" or null
    /** condition name (a hook spec, auto, http:URL, log:REGEX) -> what was seen, in the order met */
    private final Map<String, String> met = new LinkedHashMap<>();
    private final List<String> required;
    private boolean ready;
    private boolean stopping;
    private String failure; // the last hook failure before READY, kept in the stopping STATUS
    private String waitingFor; // the last starting STATUS sent, kept in the stopping STATUS when READY never came

    public Lifecycle(AgentConfig config, Notifier notifier, Elapsed elapsed, AgentLog log, Long mainPid) {
        this.config = config;
        this.notifier = notifier;
        this.elapsed = elapsed;
        this.log = log;
        this.mainPid = mainPid == null ? null : "MAINPID=" + mainPid;
        this.required = config.readySpec().conditions();
    }

    /** Called once the agent is installed: the starting STATUS, or READY at once under ready=start. */
    public void started() {
        new InfoLine(log, "").getClass(); // loaded and linked now, off the application's READY path
        if (config.readySpec().start()) {
            becomeReady("ready=start");
            return;
        }
        sendWhileStarting(withMainPid("STATUS=" + config.status()), true);
    }

    /**
     * Sends a STATUS on the agent thread, checking the state there under the lock: READY may be sent directly from
     * the application's thread meanwhile, and a late "Starting" or "Startup failed" must never overwrite it.
     */
    private void sendWhileStarting(String[] assignments, boolean startingStatus) {
        notifier.run(new Runnable() { // no lambda: see AgentMain#DAEMON
            @Override
            public void run() {
                if (!notifier.isWarm()) {
                    sendFirst(assignments, startingStatus);
                    return;
                }
                synchronized (Lifecycle.this) {
                    if (!ready && (!startingStatus || !stopping && failure == null)) {
                        notifier.sendNow(assignments);
                        if (startingStatus) {
                            waitingFor = assignments[0].substring("STATUS=".length());
                        }
                    }
                }
            }
        });
    }

    /**
     * The first send loads JNA and opens the socket (tens of milliseconds): not under this object's lock, which the
     * application's thread takes as its hooked method returns (measured: the fast starter's main thread was held
     * there 17-25 ms, up to 128 ms, while the agent thread sent its first STATUS). Nothing can overtake it: READY=1
     * goes out directly only once the notifier is warm, so a READY=1 posted meanwhile queues behind this task on
     * this same thread, and so does STOPPING=1.
     */
    private void sendFirst(String[] assignments, boolean startingStatus) {
        synchronized (this) {
            if (ready || startingStatus && (stopping || failure != null)) {
                return;
            }
            // Before the send, not after: a stop that comes while it is on its way (its STOPPING=1 queues behind it on
            // this thread) must still say what the unit was waiting for (a CI run caught the gap)
            if (startingStatus) {
                waitingFor = assignments[0].substring("STATUS=".length());
            }
        }
        notifier.sendNow(assignments);
    }

    /** {@link #problem} as a Consumer, for ChildEnvironment. */
    public Consumer<String> problems() {
        return new Consumer<String>() {
            @Override
            public void accept(String oneLineMessage) {
                log.warn(oneLineMessage);
            }
        };
    }

    @Override
    public void hookReturned(HookSpec spec) {
        conditionMet(spec.toString(), spec.toString());
    }

    @Override
    public void conditionMet(String condition, String detail) {
        String why;
        synchronized (this) {
            if (!met.containsKey(condition)) {
                met.put(condition, detail);
            }
            if (ready || stopping || !conditionMet()) {
                return;
            }
            why = config.readyWhen() == AgentConfig.ReadyWhen.ANY ? detail : inConfiguredOrder();
        }
        // auto alone names what it detected after a colon: "Ready in 3.10 s: Spring Boot 3.5.16 (Tomcat on :8080)"
        becomeReady(required.size() == 1 && "auto".equals(condition) ? ": " + why : why);
    }

    /** What each condition saw, in the order ready= names them. */
    private String inConfiguredOrder() {
        StringBuilder text = new StringBuilder();
        for (String condition : required) {
            text.append(text.length() == 0 ? "" : ", ").append(met.get(condition));
        }
        return text.toString();
    }

    private boolean conditionMet() {
        return config.readyWhen() == AgentConfig.ReadyWhen.ANY || met.keySet().containsAll(required);
    }

    @Override
    public void progress(String status) {
        sendWhileStarting(withMainPid("STATUS=" + OneLine.of(status)), true);
    }

    @Override
    public void conditionFailed(String what, Throwable failure) {
        hookFailed(what, failure);
    }

    /**
     * Called on the application's thread as the hooked method returns. Once the notify path is warm (JNA loaded,
     * socket open) READY=1 goes out right here, one sendmsg, because handing it to another thread costs a
     * scheduler wake-up (tens of ms on a busy machine); before that, the agent thread sends it after loading JNA.
     */
    private void becomeReady(String why) {
        Duration age = elapsed.now();
        synchronized (this) {
            if (ready || stopping) {
                return;
            }
            ready = true;
            if (notifier.canSendDirectly()) {
                String status = readyStatus(age, why);
                if (notifier.sendNow(withMainPid("READY=1", "STATUS=" + status))) {
                    notifier.run(new InfoLine(log, status));
                }
                return;
            }
            notifier.run(new Runnable() { // no lambda: see AgentMain#DAEMON
                @Override
                public void run() {
                    String status = readyStatus(age, why);
                    // said after it happened: a READY=1 that did not leave is not "Ready" (Notifier says why not)
                    if (notifier.sendNow(withMainPid("READY=1", "STATUS=" + status))) {
                        log.info(status);
                    }
                }
            });
        }
    }

    /**
     * Logs on the agent thread. A class, not a lambda: this runs on the application's thread as READY goes out, and
     * linking a lambda's call site the first time takes about a millisecond. {@link #started} loads it ahead.
     */
    private static final class InfoLine implements Runnable {
        private final AgentLog log;
        private final String line;

        InfoLine(AgentLog log, String line) {
            this.log = log;
            this.line = line;
        }

        @Override
        public void run() {
            log.info(line);
        }
    }

    /** {@code Ready in 2.31 s (why)}: plain arithmetic, no Formatter (its first use loads locale data). */
    static String readyStatus(Duration age, String why) {
        long centis = (age.toMillis() + 5) / 10;
        long fraction = centis % 100;
        String seconds = "Ready in " + centis / 100 + "." + (fraction < 10 ? "0" : "") + fraction + " s";
        return why.startsWith(": ") ? seconds + why : seconds + " (" + why + ")";
    }

    @Override
    public void hookFailed(HookSpec spec, Throwable failure) {
        hookFailed(spec.toString(), failure);
    }

    private void hookFailed(String spec, Throwable failure) {
        String summary = OneLine.summary(failure);
        log.error(spec + " failed: " + summary);
        synchronized (this) {
            if (ready || stopping) {
                return;
            }
            this.failure = summary;
        }
        sendWhileStarting(new String[] {"STATUS=Startup failed: " + summary}, false);
    }

    /**
     * A ready hook that cannot fire (never loaded, no such method, ambiguous, not instrumentable): READY=1 may never
     * come, so the reason goes to STATUS as well, where `systemctl status` shows it when the start times out.
     */
    @Override
    public void problem(String oneLineMessage) {
        log.warn(oneLineMessage);
        sendWhileStarting(withMainPid("STATUS=Startup problem: " + OneLine.of(oneLineMessage)), true);
    }

    /**
     * STOPPING=1 with a STATUS naming the cause (or the startup failure, when READY never came); only the first call
     * sends. Blocks at most {@link #STOPPING_WAIT_MILLIS} (or {@link #STOPPING_WAIT_COLD_MILLIS}).
     */
    void stopping(String cause) {
        String status;
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
            // systemd shows a failed unit's last STATUS: keep the reason the start failed
            // a unit that times out before READY shows its last STATUS: keep what it was waiting for
            status = !ready && failure != null
                    ? "STATUS=Stopping after failed startup: " + failure
                    : !ready && waitingFor != null
                    ? "STATUS=Stopping (" + cause + ") before READY; " + waitingFor
                    : "STATUS=Stopping (" + cause + ")";
        }
        notifier.postAndWait(notifier.isWarm() || notifier.hasFailed() ? STOPPING_WAIT_MILLIS : STOPPING_WAIT_COLD_MILLIS,
                "STOPPING=1", status);
    }

    /** {@link #stopping} as a task, for the shutdown hook and signal handlers (a class: see AgentMain#DAEMON). */
    Runnable stoppingTask(String cause) {
        return new Runnable() {
            @Override
            public void run() {
                stopping(cause);
            }
        };
    }

    public synchronized boolean isReady() {
        return ready;
    }

    /** True once STOPPING=1 is on its way (a reload must not announce READY=1 after it). */
    public synchronized boolean isStopping() {
        return stopping;
    }

    private String[] withMainPid(String... assignments) {
        if (mainPid == null) {
            return assignments;
        }
        String[] all = new String[assignments.length + 1];
        System.arraycopy(assignments, 0, all, 0, assignments.length);
        all[assignments.length] = mainPid;
        return all;
    }
}
