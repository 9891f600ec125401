package io.github.sdagent.agent.watchdog;

/**
 * One health check, asked once per health round on the agent's "sd-agent-health" thread (never the ping thread,
 * never an application thread). Must not block for longer than its own timeout.
 */
public interface HealthCheck {

    /** @return null when healthy, else the cause in an operator's words (it follows "Unhealthy: " in STATUS) */
    String problem();
}
