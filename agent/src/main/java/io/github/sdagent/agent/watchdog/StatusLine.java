package io.github.sdagent.agent.watchdog;

import io.github.sdagent.agent.AgentLog;
import io.github.sdagent.agent.OneLine;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code status-interval=30s}: once per interval while ready, one STATUS line such as
 * {@code Ready 2h 3m; heap 312/1024 MB; 87 threads; GC 1.2 %} (GC: share of the last interval). Never while
 * unhealthy or stopping, so it never overwrites those. Runs on the agent thread, where the monitor's
 * "Unhealthy" STATUS is sent too: set before it is queued, it is always seen here first.
 */
final class StatusLine implements Runnable {

    private final Notifications notifications;
    private final ServiceState state;
    private final HealthMonitor monitor;
    private final AgentLog log;
    private MemoryMXBean memory;
    private ThreadMXBean threads;
    private GcClock gc;
    private long readySinceNanos = -1;
    private long lastNanos;
    private long lastGcMillis;
    private volatile ScheduledFuture<?> schedule;

    StatusLine(Notifications notifications, ServiceState state, HealthMonitor monitor, AgentLog log) {
        this.notifications = notifications;
        this.state = state;
        this.monitor = monitor;
        this.log = log;
    }

    void start(ScheduledExecutorService executor, long intervalNanos) {
        schedule = executor.scheduleWithFixedDelay(this, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
    }

    private boolean saidOutOfMemory;

    @Override
    public void run() {
        try {
            if (state.isStopping()) {
                schedule.cancel(false);
                return;
            }
            if (!state.isReady()) {
                return;
            }
            String line = line(System.nanoTime());
            if (monitor == null || monitor.healthy()) {
                notifications.sendNow("STATUS=" + line);
            }
        } catch (OutOfMemoryError applicationsTrouble) {
            // the application's memory, not this check's fault: skip this round, try again at the next one
            if (!saidOutOfMemory) {
                saidOutOfMemory = true;
                log.warn("status-interval line skipped a round: " + OneLine.summary(applicationsTrouble));
            }
        } catch (Throwable t) {
            log.warn("status-interval line stopped: " + OneLine.summary(t));
            schedule.cancel(false);
        }
    }

    /** The line; the first one after READY says "GC 0.0 %" (no interval to measure yet). */
    String line(long now) {
        if (memory == null) {
            memory = ManagementFactory.getMemoryMXBean();
            threads = ManagementFactory.getThreadMXBean();
            gc = new GcClock();
        }
        long gcMillis = gc.totalMillis();
        if (readySinceNanos < 0) {
            readySinceNanos = now;
            lastNanos = now;
            lastGcMillis = gcMillis;
        }
        MemoryUsage heap = memory.getHeapMemoryUsage();
        long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
        double share = now == lastNanos ? 0 : (gcMillis - lastGcMillis) * 1_000_000.0 / (now - lastNanos);
        lastNanos = now;
        lastGcMillis = gcMillis;
        return "Ready " + age(TimeUnit.NANOSECONDS.toSeconds(now - readySinceNanos)) + "; heap " + (heap.getUsed() >> 20) + "/"
                + (max >> 20) + " MB; " + threads.getThreadCount() + " threads; GC " + GcClock.percent(Math.min(1, share)) + " %";
    }

    /** {@code 2h 3m}, {@code 5m 12s}, {@code 40s}. */
    static String age(long seconds) {
        long hours = seconds / 3600;
        long minutes = seconds / 60 % 60;
        if (hours > 0) {
            return hours + "h " + minutes + "m";
        }
        return minutes > 0 ? minutes + "m " + seconds % 60 + "s" : seconds + "s";
    }
}
