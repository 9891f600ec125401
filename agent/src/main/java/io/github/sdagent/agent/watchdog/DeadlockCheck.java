package io.github.sdagent.agent.watchdog;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * {@code ThreadMXBean.findDeadlockedThreads()}: threads blocked on each other's monitors or ownable synchronizers
 * (ReentrantLock, ReentrantReadWriteLock). A deadlock never resolves itself, so it counts at once, with no grace.
 */
final class DeadlockCheck implements HealthCheck {

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    @Override
    public String problem() {
        long[] ids = threads.isSynchronizerUsageSupported()
                ? threads.findDeadlockedThreads() : threads.findMonitorDeadlockedThreads();
        return ids == null ? null : describe(threads.getThreadInfo(ids));
    }

    /** {@code deadlock between "a" and "b" ("a" waits for <lock> held by "b"; ...)}. */
    static String describe(ThreadInfo[] infos) {
        StringBuilder names = new StringBuilder();
        StringBuilder waits = new StringBuilder();
        int count = 0;
        for (ThreadInfo info : infos) {
            if (info != null) {
                count++;
            }
        }
        int index = 0;
        for (ThreadInfo info : infos) {
            if (info == null) {
                continue; // ended meanwhile
            }
            index++;
            names.append(index == 1 ? "" : index == count ? " and " : ", ").append('"').append(info.getThreadName()).append('"');
            waits.append(index == 1 ? "" : "; ").append('"').append(info.getThreadName()).append("\" waits for ")
                    .append(info.getLockName()).append(" held by \"").append(info.getLockOwnerName()).append('"');
        }
        return "deadlock between " + names + " (" + waits + ")";
    }

    @Override
    public String toString() {
        return "deadlock";
    }
}
