package io.github.sdagent.agent.lifecycle;

import io.github.sdagent.agent.hooks.HookSpec;

import io.github.sdagent.agent.hooks.HookEngine;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.function.Consumer;

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
     * @param transformers registers the engine's transformer (see {@link Transformers})
     * @param graceMillis after this long, each spec whose class has not been loaded is reported once
     */
    public static void install(Instrumentation inst, Consumer<ClassFileTransformer> transformers, List<HookSpec> specs,
                               HookListener listener, long graceMillis) {
        try {
            HookEngine.instance(inst, transformers).install(specs, listener, graceMillis);
        } catch (Throwable t) {
            listener.problem("ready hooks disabled: " + t);
        }
    }
}
