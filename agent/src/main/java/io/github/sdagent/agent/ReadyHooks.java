package io.github.sdagent.agent;

import io.github.sdagent.agent.hooks.HookEngine;
import java.lang.instrument.Instrumentation;
import java.util.List;

/**
 * Installs the {@code ready=} hooks (see {@link HookEngine} for how they work). The bridge package
 * ({@code io.github.sdagent.agent.bridge}) must already be on the bootstrap class path.
 */
public final class ReadyHooks {

    private ReadyHooks() {
    }

    /**
     * Starts watching for the specs' classes and returns at once (a daemon thread preloads the weaving code and
     * later reports classes that never loaded). Never throws: failures go to {@link HookListener#problem}.
     *
     * @param graceMillis after this long, each spec whose class has not been loaded is reported once
     */
    public static void install(Instrumentation inst, List<HookSpec> specs, HookListener listener, long graceMillis) {
        try {
            HookEngine.instance(inst).install(specs, listener, graceMillis);
        } catch (Throwable t) {
            listener.problem("ready hooks disabled: " + t);
        }
    }
}
