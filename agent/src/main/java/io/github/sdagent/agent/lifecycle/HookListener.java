package io.github.sdagent.agent.lifecycle;

import io.github.sdagent.agent.hooks.HookSpec;

/**
 * What the hook engine reports. The engine never prints: agent-runtime turns these calls into READY=1,
 * STATUS= and stderr lines. Implementations must be cheap and must not throw; they may be called from any
 * thread, including the application's own start-up thread inside the hooked method's return path.
 */
public interface HookListener {

    /** The outermost call of the hooked method returned normally, or the Future/CompletionStage it returned completed successfully. */
    void hookReturned(HookSpec spec);

    /**
     * As {@link #hookReturned(HookSpec)}, with the receiver of the counted call (null for a static method), for
     * listeners that inspect the object that just started (ready presets check a Tomcat service's connectors).
     */
    default void hookReturned(HookSpec spec, Object self) {
        hookReturned(spec);
    }

    /** The outermost call began: the hooked work is in progress until it returns or fails (ready presets compose on this). */
    default void hookEntered(HookSpec spec) {
    }

    /** The outermost call threw {@code failure} (which propagates to the application unchanged), or its Future failed. */
    void hookFailed(HookSpec spec, Throwable failure);

    /**
     * One line describing a problem the operator can fix: a class never loaded within the grace period, no method
     * matching the spec (with a "did you mean" suggestion), ambiguous overloads (with their exact spellings), or a
     * failure to rewrite a class. Each distinct message is reported once per hook.
     */
    void problem(String oneLineMessage);
}
