package io.github.sdagent.agent;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;

/** The agent's one daemon thread ("sd-agent"): notifications and watchdog pings, never on application threads. */
final class AgentThread {

    private AgentThread() {
    }

    static ScheduledExecutorService create() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, new ThreadFactory() {
            @Override
            public Thread newThread(Runnable task) { // no lambda on the start path: see AgentMain#DAEMON
                Thread thread = new Thread(task, "sd-agent");
                thread.setDaemon(true);
                return thread;
            }
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
