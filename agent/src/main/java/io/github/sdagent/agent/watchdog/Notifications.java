package io.github.sdagent.agent.watchdog;

import java.util.concurrent.ScheduledExecutorService;

/** The agent's way to systemd, as the watchdog sees it (the agent's Notifier). */
public interface Notifications {

    /** Sends on the calling thread; true when systemd was told. Never throws. */
    boolean sendNow(String... assignments);

    /** Queues the message for the agent thread ("sd-agent") and returns at once. */
    void post(String... assignments);

    /** The agent thread: pings, start/stop progress and the status line run there. */
    ScheduledExecutorService executor();
}
