package io.github.sdagent.agent;

import io.github.sdagent.agent.config.AgentConfig;
import io.github.sdagent.agent.lifecycle.Lifecycle;
import io.github.sdagent.agent.lifecycle.Notifier;

import io.github.sdagent.agent.activation.FdStore;
import io.github.sdagent.agent.isolation.JnaProperties;
import io.github.sdagent.agent.activation.SocketActivation;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Starts socket activation (package {@code activation}) from AgentMain when systemd passed sockets, and reports
 * once, after READY, the inherited sockets no bind claimed (stderr and STATUS=). Here, not in AgentMain, so that
 * AgentMain loads none of it when LISTEN_FDS is unset.
 */
final class ActivationStart {

    /** How long after READY the application may still bind before an unclaimed socket is reported. */
    static final long REPORT_AFTER_READY_MILLIS = 5000;

    private ActivationStart() {
    }

    static void start(AgentConfig config, Instrumentation inst, Consumer<ClassFileTransformer> transformers,
                      Lifecycle lifecycle, Notifier notifier, ScheduledExecutorService thread, AgentLog log) {
        Runnable nativeInit = new Runnable() { // no lambda: see AgentMain#DAEMON
            @Override
            public void run() {
                JnaProperties.initializeQuietly();
            }
        };
        Consumer<String> info = new Consumer<String>() {
            @Override
            public void accept(String line) {
                log.info(line);
            }
        };
        SocketActivation activation = System.getenv("LISTEN_FDS") == null ? null
                : SocketActivation.start(config.sockets(), inst, transformers, lifecycle.problems(), nativeInit, info);
        if (config.fdStore()) {
            FdStore.start(inst, transformers, lifecycle.problems(), info, nativeInit);
        }
        if (activation != null) {
            log.debug("socket activation: binds are served from the sockets systemd passed (sockets="
                    + config.sockets() + ")");
            UnclaimedReport report = new UnclaimedReport(activation, lifecycle, notifier, log);
            report.future = thread.scheduleWithFixedDelay(report, 1, 1, TimeUnit.SECONDS);
        }
    }

    /** Checks each second; once READY has been out for a while, reports the unclaimed sockets once and stops. */
    private static final class UnclaimedReport implements Runnable {
        private final SocketActivation activation;
        private final Lifecycle lifecycle;
        private final Notifier notifier;
        private final AgentLog log;
        private long readySince = -1;
        volatile ScheduledFuture<?> future;

        UnclaimedReport(SocketActivation activation, Lifecycle lifecycle, Notifier notifier, AgentLog log) {
            this.activation = activation;
            this.lifecycle = lifecycle;
            this.notifier = notifier;
            this.log = log;
        }

        @Override
        public void run() {
            try {
                if (!lifecycle.isReady()) {
                    return;
                }
                long now = System.nanoTime();
                if (readySince < 0) {
                    readySince = now;
                }
                if (now - readySince < TimeUnit.MILLISECONDS.toNanos(REPORT_AFTER_READY_MILLIS)) {
                    return;
                }
                future.cancel(false);
                String unclaimed = activation.unclaimed();
                if (unclaimed != null) {
                    log.warn(unclaimed);
                    notifier.post("STATUS=" + OneLine.of(unclaimed));
                }
            } catch (Throwable t) {
                future.cancel(false);
                log.warn("socket activation: the unclaimed-socket report failed: " + t);
            }
        }
    }
}
