package io.github.sdagent.agent;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Turns what happens to the JVM into systemd's service states: STATUS while starting, READY=1 (exactly once) when
 * the ready hooks have returned as {@code ready-when} demands, "Startup failed" when a hook throws, STOPPING=1 as
 * soon as shutdown begins. Receives the hook engine's reports as its {@link HookListener}.
 */
public final class Lifecycle implements HookListener {

    /** How long a stopping JVM waits for STOPPING=1 to leave (it queues behind READY/STATUS on the agent thread). */
    static final long STOPPING_WAIT_MILLIS = 1000;

    private final AgentConfig config;
    private final Notifier notifier;
    private final Elapsed elapsed;
    private final AgentLog log;
    private final String mainPid; // "MAINPID=n" or null
    private final Set<HookSpec> returned = new LinkedHashSet<>();
    private boolean ready;
    private boolean stopping;
    private String failure; // the last hook failure before READY, kept in the stopping STATUS

    Lifecycle(AgentConfig config, Notifier notifier, Elapsed elapsed, AgentLog log, Long mainPid) {
        this.config = config;
        this.notifier = notifier;
        this.elapsed = elapsed;
        this.log = log;
        this.mainPid = mainPid == null ? null : "MAINPID=" + mainPid;
    }

    /** Called once the agent is installed: the starting STATUS, or READY at once when no ready hook is configured. */
    void started() {
        if (config.ready().isEmpty()) {
            becomeReady("no ready= hook configured");
            return;
        }
        synchronized (this) { // posting under the lock keeps the queue in state order: never "Starting" after READY
            if (!ready && !stopping && failure == null) {
                notifier.post(withMainPid("STATUS=" + config.status()));
            }
        }
    }

    @Override
    public void hookReturned(HookSpec spec) {
        String readyMessage;
        synchronized (this) {
            returned.add(spec);
            if (ready || stopping || !conditionMet()) {
                return;
            }
            readyMessage = config.readyWhen() == AgentConfig.ReadyWhen.ANY ? spec.toString() : joined(returned);
        }
        becomeReady(readyMessage);
    }

    private boolean conditionMet() {
        return config.readyWhen() == AgentConfig.ReadyWhen.ANY || returned.containsAll(config.ready());
    }

    private void becomeReady(String why) {
        String status = String.format(Locale.ROOT, "Ready in %.2f s (%s)", elapsed.now().toMillis() / 1000.0, why);
        synchronized (this) {
            if (ready || stopping) {
                return;
            }
            ready = true;
            notifier.post(withMainPid("READY=1", "STATUS=" + status)); // only queues: never blocks the caller
        }
        log.info(status);
    }

    @Override
    public void hookFailed(HookSpec spec, Throwable failure) {
        String summary = OneLine.summary(failure);
        log.error(spec + " failed: " + summary);
        synchronized (this) {
            if (ready || stopping) {
                return;
            }
            this.failure = summary;
            notifier.post("STATUS=Startup failed: " + summary);
        }
    }

    @Override
    public void problem(String oneLineMessage) {
        log.warn(oneLineMessage);
    }

    /**
     * STOPPING=1 with a STATUS naming the cause (or the startup failure, when READY never came); only the first call
     * sends. Blocks at most about a second.
     */
    void stopping(String cause) {
        String status;
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
            // systemd shows a failed unit's last STATUS: keep the reason the start failed
            status = !ready && failure != null
                    ? "STATUS=Stopping after failed startup: " + failure
                    : "STATUS=Stopping (" + cause + ")";
        }
        notifier.postAndWait(STOPPING_WAIT_MILLIS, "STOPPING=1", status);
    }

    synchronized boolean isReady() {
        return ready;
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

    private static String joined(Set<HookSpec> specs) {
        StringBuilder text = new StringBuilder();
        for (HookSpec spec : specs) {
            text.append(text.length() == 0 ? "" : ", ").append(spec);
        }
        return text.toString();
    }
}
