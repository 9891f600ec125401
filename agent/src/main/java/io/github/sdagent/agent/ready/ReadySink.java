package io.github.sdagent.agent.ready;

/** Where readiness conditions report (the Lifecycle). Called from any thread; must be quick and never throw. */
public interface ReadySink {

    /** The condition named as in {@link ReadySpec#conditions} is met; {@code detail} says what was seen. */
    void conditionMet(String condition, String detail);

    /** A STATUS= text while starting (dropped once ready, stopping or failed). */
    void progress(String status);

    /** What was being waited for failed: READY will not come from it. */
    void conditionFailed(String what, Throwable failure);

    void problem(String oneLineMessage);
}
