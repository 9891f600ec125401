package io.github.sdagent.agent;

import java.lang.instrument.Instrumentation;
import java.util.List;

/** Installs the ready hooks: see the package documentation of {@code io.github.sdagent.agent.hooks}. */
public final class ReadyHooks {

    private ReadyHooks() {
    }

    /**
     * Starts watching for the specs' classes. Returns at once (Byte Buddy warms up on a daemon thread); never throws.
     *
     * @param graceMillis after this long, a spec whose class has not been loaded is reported via
     *                    {@link HookListener#problem}
     */
    public static void install(Instrumentation inst, List<HookSpec> specs, HookListener listener, long graceMillis) {
        // Implementation follows in the next commit.
    }
}
