package io.github.sdagent.agent.watchdog;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The share of wall time spent in GC pauses over a sliding window ({@code gc-overhead=50%} of {@code gc-window=30s}
 * by default). G1 has no GC overhead limit: a JVM that keeps most of its heap live can spend nearly all its time in
 * GC for minutes without an OutOfMemoryError; this is what catches it. Judged only once a whole window has been
 * seen. Optionally ({@code heap-after-gc=90%}) also a heap that stays that full after GC for a whole window.
 */
final class GcOverheadCheck implements HealthCheck {

    private final GcClock clock = new GcClock();
    private final int thresholdPercent;
    private final long windowNanos;
    private final String windowText;
    private final int heapAfterGcPercent;
    private final ArrayDeque<long[]> samples = new ArrayDeque<>(); // {nanoTime, gcMillis}
    private final List<MemoryPoolMXBean> heapPools = new ArrayList<>();
    private final MemoryMXBean memory;
    private long heapFullSinceNanos = -1;

    GcOverheadCheck(int thresholdPercent, long windowNanos, String windowText, int heapAfterGcPercent) {
        this.thresholdPercent = thresholdPercent;
        this.windowNanos = windowNanos;
        this.windowText = windowText;
        this.heapAfterGcPercent = heapAfterGcPercent;
        memory = heapAfterGcPercent > 0 ? ManagementFactory.getMemoryMXBean() : null;
        if (memory != null) {
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported()) {
                    heapPools.add(pool);
                }
            }
        }
    }

    @Override
    public String problem() {
        long now = System.nanoTime();
        String gc = thresholdPercent > 0 ? overhead(now, clock.totalMillis()) : null;
        return gc != null ? gc : heapAfterGc(now);
    }

    /** Keeps the samples that span just over one window; judges the share across them. */
    String overhead(long now, long gcMillis) {
        samples.addLast(new long[] {now, gcMillis});
        while (samples.size() > 2 && now - secondOldest()[0] >= windowNanos) {
            samples.removeFirst();
        }
        long[] oldest = samples.peekFirst();
        long span = now - oldest[0];
        if (span < windowNanos) {
            return null;
        }
        double share = (gcMillis - oldest[1]) * 1_000_000.0 / span;
        if (share * 100 < thresholdPercent) {
            return null;
        }
        return "GC took " + Math.min(100, Math.round(share * 100)) + " % of the last " + windowText
                + " (gc-overhead=" + thresholdPercent + "%)";
    }

    private long[] secondOldest() {
        java.util.Iterator<long[]> it = samples.iterator();
        it.next();
        return it.next();
    }

    private String heapAfterGc(long now) {
        if (memory == null) {
            return null;
        }
        long max = memory.getHeapMemoryUsage().getMax();
        if (max <= 0) {
            return null;
        }
        long live = 0;
        for (MemoryPoolMXBean pool : heapPools) {
            MemoryUsage afterGc = pool.getCollectionUsage();
            if (afterGc != null) {
                live += afterGc.getUsed();
            }
        }
        long percent = live * 100 / max;
        if (percent < heapAfterGcPercent) {
            heapFullSinceNanos = -1;
            return null;
        }
        if (heapFullSinceNanos < 0) {
            heapFullSinceNanos = now;
        }
        return now - heapFullSinceNanos >= windowNanos
                ? "heap still " + percent + " % full after GC for " + windowText + " (heap-after-gc=" + heapAfterGcPercent + "%)"
                : null;
    }

    @Override
    public String toString() {
        return "GC overhead";
    }
}
