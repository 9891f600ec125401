package io.github.sdagent.agent.reload;

import io.github.sdagent.agent.AgentLog;
import io.github.sdagent.agent.lifecycle.HookListener;
import io.github.sdagent.agent.hooks.HookSpec;
import io.github.sdagent.agent.OneLine;
import io.github.sdagent.agent.hooks.CallTarget;
import io.github.sdagent.agent.hooks.HookEngine;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * {@code reload=}: installed by AgentMain on the agent's start-up thread, only when configured (without it no class
 * of this package loads, and the JVM's own SIGHUP handling, a shutdown, stays). The hook engine tracks the reload
 * method's class and its latest instance; the reload signal's handler is replaced by a {@link Reloader}.
 */
public final class Reload {

    private Reload() {
    }

    /** Never throws: a problem is one stderr line, and the application runs on without reload support. */
    public static void install(Instrumentation inst, Consumer<ClassFileTransformer> transformers, HookSpec spec,
                               String signal, Duration timeout, long graceMillis, Reloader.Service service,
                               AgentLog log) {
        try {
            CallTarget target = HookEngine.instance(inst, transformers).track(spec, new Problems(log), graceMillis);
            Reloader reloader = new Reloader(target, signal, timeout, service, log);
            String previous = Signals.replace(signal, reloader.requestTask());
            log.debug("reload: SIG" + signal + " calls " + spec + " (timeout " + timeout.toMillis()
                    + " ms) instead of " + previous);
            if (!previous.equals("the JVM's handler") && !previous.equals("none")) {
                log.warn("reload: the SIG" + signal + " handler " + previous + " was replaced by the agent's (reload="
                        + spec + ")");
            }
        } catch (Throwable t) {
            log.warn("reload disabled: cannot handle SIG" + signal + " (" + OneLine.summary(t)
                    + "); systemctl reload will not reach " + spec);
        }
    }

    /** The hook engine's reports: only problems (its messages say "ready hook"; this one is the reload hook). */
    private static final class Problems implements HookListener {
        private final AgentLog log;

        Problems(AgentLog log) {
            this.log = log;
        }

        @Override
        public void hookReturned(HookSpec spec) {
            // a call target has no hooked method
        }

        @Override
        public void hookFailed(HookSpec spec, Throwable failure) {
            // as above
        }

        @Override
        public void problem(String oneLineMessage) {
            log.warn(oneLineMessage.startsWith("ready hook ")
                    ? "reload hook " + oneLineMessage.substring("ready hook ".length()) : oneLineMessage);
        }
    }
}
