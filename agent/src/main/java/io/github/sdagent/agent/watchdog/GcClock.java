package io.github.sdagent.agent.watchdog;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Milliseconds the JVM has spent in garbage collection, from the GC MXBeans. Only the beans that count pauses: the
 * ones for concurrent work ("G1 Concurrent GC" on JDK 21+, "ZGC Cycles", "Shenandoah Cycles") count time the
 * application threads kept running, which is not overhead in the sense of this check.
 */
final class GcClock {

    private final List<GarbageCollectorMXBean> pauses = new ArrayList<>();

    GcClock() {
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            String name = bean.getName();
            if (!name.contains("Concurrent") && !name.contains("Cycles")) {
                pauses.add(bean);
            }
        }
    }

    long totalMillis() {
        long total = 0;
        for (GarbageCollectorMXBean bean : pauses) {
            long time = bean.getCollectionTime();
            if (time > 0) {
                total += time;
            }
        }
        return total;
    }

    /** {@code 12.3}: one decimal, plain arithmetic (no Formatter). */
    static String percent(double share) {
        long tenths = Math.round(share * 1000);
        return tenths / 10 + "." + tenths % 10;
    }
}
