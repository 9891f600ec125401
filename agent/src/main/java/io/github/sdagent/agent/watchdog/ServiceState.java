package io.github.sdagent.agent.watchdog;

/** What the watchdog needs to know of the service's lifecycle. */
public interface ServiceState {

    /** READY=1 has been sent. */
    boolean isReady();

    /** Shutdown has begun (STOPPING=1). */
    boolean isStopping();
}
