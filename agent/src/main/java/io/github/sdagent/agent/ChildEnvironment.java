package io.github.sdagent.agent;

import io.github.sdagent.agent.hooks.ProcessBuilderScrubbing;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.function.Consumer;

/**
 * Keeps systemd's per-service variables away from the processes the application starts:
 * {@code java.lang.ProcessBuilder}'s instance {@code start} methods (which {@code Runtime.exec} and, on Java 9+,
 * {@code ProcessBuilder.startPipeline} go through) are rewritten to remove NOTIFY_SOCKET, WATCHDOG_USEC,
 * WATCHDOG_PID, LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES from the child's environment first. The inserted code
 * uses java.base types only, so it needs no bridge.
 */
public final class ChildEnvironment {

    private ChildEnvironment() {
    }

    /**
     * Registers a transformer that rewrites ProcessBuilder when it loads; retransforms it right away if it is
     * already loaded. Costs well under a millisecond when ProcessBuilder is not loaded yet. Never throws.
     *
     * @param transformers registers the scrubbing transformer (see {@link Transformers})
     * @param problems receives a one-line message if the scrubbing cannot be installed
     */
    public static void install(Instrumentation inst, Consumer<ClassFileTransformer> transformers,
                               Consumer<String> problems) {
        try {
            ProcessBuilderScrubbing.install(inst, transformers, problems);
        } catch (Throwable t) {
            problems.accept("child environment scrubbing disabled: " + t);
        }
    }

    /** As {@link #install(Instrumentation, Consumer, Consumer)}, problems going to stderr. */
    public static void install(Instrumentation inst) {
        install(inst, Transformers.direct(inst), new Consumer<String>() { // no lambda: see HookEngine#install
            @Override
            public void accept(String message) {
                System.err.println("sd-agent: " + message);
            }
        });
    }
}
