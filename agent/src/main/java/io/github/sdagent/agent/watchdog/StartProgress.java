package io.github.sdagent.agent.watchdog;

import io.github.sdagent.agent.AgentLog;
import io.github.sdagent.agent.config.Durations;
import io.github.sdagent.agent.OneLine;

import java.io.File;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * While the service is not yet ready: once a second, did the application make visible progress (classes loaded,
 * threads started, both counted by the JVM since its start, or the {@code start-progress-file} grew or changed: the
 * application's log file, a migration's progress file)? Each time it did, {@code EXTEND_TIMEOUT_USEC} pushes
 * systemd's start timeout to at least {@code start-extend} from now, so a slow but progressing start survives a
 * short TimeoutStartSec= while a start that stands still is killed at most {@code start-extend} after its last
 * progress. The first sample is taken {@link #FIRST_SAMPLE_MILLIS} after the agent's own start-up (a service that
 * gets ready sooner costs nothing) and is the baseline, so the agent's own class loading does not count.
 * systemd before 236 ignores EXTEND_TIMEOUT_USEC.
 */
final class StartProgress implements Runnable {

    static final long FIRST_SAMPLE_MILLIS = 1000;
    static final long SAMPLE_MILLIS = 1000;

    private final Notifications notifications;
    private final ServiceState state;
    private final Duration extend;
    private final AgentLog log;
    private final File progressFile; // null: not configured
    private long lastFileSize = -1;
    private long lastFileModified = -1;
    private ClassLoadingMXBean classes;
    private ThreadMXBean threads;
    private long lastClasses = -1;
    private long lastThreads = -1;
    private boolean said;
    private volatile ScheduledFuture<?> schedule;

    StartProgress(Notifications notifications, ServiceState state, Duration extend, String progressFile, AgentLog log) {
        this.notifications = notifications;
        this.state = state;
        this.extend = extend;
        this.progressFile = progressFile == null ? null : new File(progressFile);
        this.log = log;
    }

    void start(ScheduledExecutorService executor) {
        schedule = executor.scheduleWithFixedDelay(this, FIRST_SAMPLE_MILLIS, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private boolean saidOutOfMemory;

    @Override
    public void run() {
        try {
            if (state.isReady() || state.isStopping()) {
                schedule.cancel(false);
                return;
            }
            sample();
        } catch (OutOfMemoryError applicationsTrouble) {
            // the application's memory, not this check's fault: skip this round, try again at the next one
            if (!saidOutOfMemory) {
                saidOutOfMemory = true;
                log.warn("start-up progress check skipped a round: " + OneLine.summary(applicationsTrouble));
            }
        } catch (Throwable t) {
            log.warn("start-up progress check stopped: " + OneLine.summary(t));
            schedule.cancel(false);
        }
    }

    private void sample() {
        if (classes == null) {
            classes = ManagementFactory.getClassLoadingMXBean();
            threads = ManagementFactory.getThreadMXBean();
        }
        long classCount = classes.getTotalLoadedClassCount();
        long threadCount = threads.getTotalStartedThreadCount();
        boolean fileChanged = fileChanged();
        boolean progress = lastClasses >= 0 && (classCount > lastClasses || threadCount > lastThreads || fileChanged);
        if (progress) {
            long newClasses = classCount - lastClasses;
            long newThreads = threadCount - lastThreads;
            notifications.sendNow("EXTEND_TIMEOUT_USEC=" + TimeUnit.NANOSECONDS.toMicros(extend.toNanos()));
            String line = "start-up progressing (" + newClasses + " classes loaded, " + newThreads
                    + " threads started" + (fileChanged ? ", " + progressFile + " changed" : "")
                    + " in the last second): EXTEND_TIMEOUT_USEC=" + Durations.format(extend);
            if (!said) {
                said = true;
                log.info(line + " (start-extend; said once)");
            } else {
                log.debug(line);
            }
        }
        lastClasses = classCount;
        lastThreads = threadCount;
    }

    /**
     * Whether the progress file's size or modification time differs from the last sample (the first sample is the
     * baseline). A file that does not exist (yet) has neither: its creation is progress.
     */
    private boolean fileChanged() {
        if (progressFile == null) {
            return false;
        }
        long size = progressFile.length(); // 0 for a missing file; no exception either way
        long modified = progressFile.lastModified();
        boolean changed = lastFileModified >= 0 && (size != lastFileSize || modified != lastFileModified);
        lastFileSize = size;
        lastFileModified = modified;
        return changed;
    }
}
