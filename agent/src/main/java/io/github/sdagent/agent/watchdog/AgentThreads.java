package io.github.sdagent.agent.watchdog;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;

/** The watchdog's own daemon threads, each created only when a feature needs it. */
final class AgentThreads {

    private AgentThreads() {
    }

    static ScheduledThreadPoolExecutor single(String name) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, new ThreadFactory() {
            @Override
            public Thread newThread(Runnable task) { // no lambda: see AgentMain#DAEMON
                Thread thread = new Thread(task, name);
                thread.setDaemon(true);
                return thread;
            }
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
