package io.github.sdagent.agent.hooks;

import java.util.ArrayList;
import java.util.List;

/** What fixtures did, in order; loaded by the test class loader so every fixture copy shares it. */
public final class HookTrace {

    private static final List<String> LOG = new ArrayList<>();

    private HookTrace() {
    }

    public static synchronized void log(String event) {
        LOG.add(event);
        HookTrace.class.notifyAll();
    }

    public static synchronized List<String> snapshot() {
        return new ArrayList<>(LOG);
    }

    public static synchronized void clear() {
        LOG.clear();
    }

    /** Waits until an event starting with {@code prefix} has been logged {@code count} times. */
    public static synchronized List<String> await(String prefix, int count, long timeoutMillis)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (LOG.stream().filter(e -> e.startsWith(prefix)).count() < count) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            HookTrace.class.wait(left);
        }
        return new ArrayList<>(LOG);
    }
}
