package io.github.sdagent.agent;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;

/**
 * The agent's one daemon thread ("sd-agent"): notifications and watchdog pings, never on application threads. A
 * task that fails, with an Error as much as an exception, is said in one line: an executor keeps a task's failure
 * inside its Future, where nobody would ever look, and a failed periodic task (the watchdog) silently stops.
 */
public final class AgentThread {

    private AgentThread() {
    }

    /**
     * The thread is started here, before the agent installs anything (hooks, signal notice): under a task limit
     * (TasksMax=, LimitNPROC=) the OutOfMemoryError "unable to create native thread" comes now, and the agent stays
     * wholly inactive with the launcher's one line, instead of half-installed hooks trying to send later (issue 15).
     */
    public static ScheduledExecutorService create(AgentLog log) {
        ScheduledThreadPoolExecutor executor = new Executor(log);
        executor.setRemoveOnCancelPolicy(true);
        executor.prestartCoreThread();
        return executor;
    }

    private static final class Executor extends ScheduledThreadPoolExecutor {
        private final AgentLog log;

        Executor(AgentLog log) {
            super(1, new ThreadFactory() {
                @Override
                public Thread newThread(Runnable task) { // no lambda on the start path: see AgentMain#DAEMON
                    Thread thread = new Thread(task, "sd-agent");
                    thread.setDaemon(true);
                    return thread;
                }
            });
            this.log = log;
        }

        @Override
        protected void afterExecute(Runnable task, Throwable thrown) {
            Throwable failure = thrown;
            if (failure == null && task instanceof Future && ((Future<?>) task).isDone()) {
                try {
                    ((Future<?>) task).get();
                } catch (ExecutionException e) {
                    failure = e.getCause();
                } catch (CancellationException | InterruptedException expected) {
                    // cancelled on purpose, or the JVM is going down
                }
            }
            if (failure != null) {
                try {
                    log.error("internal error on the agent's thread, that task is lost (the application is not "
                            + "affected): " + OneLine.summary(failure));
                } catch (Throwable evenLoggingFailed) {
                    // nothing left to tell it with
                }
            }
        }
    }
}
