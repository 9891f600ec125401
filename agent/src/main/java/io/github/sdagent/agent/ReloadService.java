package io.github.sdagent.agent;

import io.github.sdagent.agent.config.AgentConfig;
import io.github.sdagent.agent.lifecycle.Lifecycle;
import io.github.sdagent.agent.lifecycle.Notifier;

import io.github.sdagent.agent.reload.Reload;
import io.github.sdagent.agent.reload.Reloader;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.function.Consumer;

/**
 * Connects {@code reload=} ({@link Reload}) to the Lifecycle and the Notifier. A class of its own, called only when
 * reload= is configured: verifying AgentMain then loads none of the reload package's types.
 */
final class ReloadService implements Reloader.Service {

    private final Lifecycle lifecycle;
    private final Notifier notifier;

    private ReloadService(Lifecycle lifecycle, Notifier notifier) {
        this.lifecycle = lifecycle;
        this.notifier = notifier;
    }

    static void install(AgentConfig config, Instrumentation inst, Consumer<ClassFileTransformer> transformers,
                        Lifecycle lifecycle, Notifier notifier, AgentLog log) {
        try {
            Reload.install(inst, transformers, config.reload(), config.reloadSignal(), config.reloadTimeout(),
                    config.hookGrace().toMillis(), new ReloadService(lifecycle, notifier), log);
        } catch (Throwable t) { // Reload.install catches its own; this is for its classes failing to load
            log.warn("reload disabled: " + OneLine.summary(t));
        }
    }

    @Override
    public boolean isReady() {
        return lifecycle.isReady();
    }

    @Override
    public boolean isStopping() {
        return lifecycle.isStopping();
    }

    @Override
    public void send(String... assignments) {
        notifier.post(assignments);
    }
}
