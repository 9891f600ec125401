package io.github.sdagent.agent;

/**
 * Consulted by the {@link Watchdog} before each WATCHDOG=1: while any check reports a problem, the agent stops
 * pinging and systemd's WatchdogSec= takes over. Must be fast and must not throw.
 */
@FunctionalInterface
public interface HealthCheck {

    /** @return null when healthy, else a one-line description of the problem */
    String problem();
}
