package io.github.sdagent.agent.watchdog;

import io.github.sdagent.agent.AgentLog;

/**
 * For the probe-style checks (application method, HTTP): nothing is asked before READY and for {@code health-grace}
 * after it, and a problem counts only after {@code health-failures} failures in a row, so one slow answer from a
 * busy service restarts nothing.
 */
final class ProbeGate implements HealthCheck {

    private final HealthCheck probe;
    private final ServiceState state;
    private final long graceNanos;
    private final int failuresNeeded;
    private final AgentLog log;
    private long readySeenNanos = -1;
    private int failures;

    ProbeGate(HealthCheck probe, ServiceState state, long graceNanos, int failuresNeeded, AgentLog log) {
        this.probe = probe;
        this.state = state;
        this.graceNanos = graceNanos;
        this.failuresNeeded = failuresNeeded;
        this.log = log;
    }

    @Override
    public String problem() {
        if (!state.isReady()) {
            return null;
        }
        long now = System.nanoTime();
        if (readySeenNanos < 0) {
            readySeenNanos = now;
        }
        if (now - readySeenNanos < graceNanos) {
            return null;
        }
        String problem = probe.problem();
        if (problem == null) {
            failures = 0;
            return null;
        }
        failures++;
        if (failures < failuresNeeded) {
            log.info(problem + " (" + failures + " of " + failuresNeeded + " failures in a row before the service counts as unhealthy)");
            return null;
        }
        return failuresNeeded > 1 ? problem + " (" + failures + " times in a row)" : problem;
    }

    @Override
    public String toString() {
        return probe.toString();
    }
}
