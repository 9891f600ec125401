package io.github.sdagent.agent.ready;

import io.github.sdagent.agent.hooks.HookEngine;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Starts what {@code ready=} asks for besides method hooks: the presets of auto, the listener observation of auto's
 * fallback and of listen:, the http: probe, the log: watch. Each costs nothing unless configured: no class of it
 * loads, no thread starts (the bind/listen interception is installed only for auto or listen:).
 */
public final class ReadyConditions {

    private ReadyConditions() {
    }

    /** Never throws: a failure to set one up is reported as a problem and that condition stays unmet. */
    public static void install(ReadySpec spec, long httpIntervalMillis, long httpTimeoutMillis, Instrumentation inst,
                               Consumer<ClassFileTransformer> transformers, ReadySink sink,
                               ScheduledExecutorService agentThread, Runnable nativeInit, Thread mainThread) {
        AutoReadiness auto = null;
        if (spec.auto()) {
            try {
                auto = new AutoReadiness(Presets.ALL, new AutoOutcome(sink),
                        new MainThreadSettle(agentThread, MainThreadProbe.of(mainThread)));
                HookEngine.instance(inst, transformers).installOptional(auto.specs(), auto,
                        new ShadedNames(Presets.ALL));
            } catch (Throwable t) {
                auto = null;
                sink.problem("ready=auto disabled: " + t);
            }
        }
        if (auto != null || !spec.listens().isEmpty()) {
            try {
                ListenerReadiness.install(spec, auto, inst, transformers, sink, agentThread, nativeInit, mainThread);
            } catch (Throwable t) {
                sink.problem("ready=" + (auto != null ? "auto's listener fallback" : "listen:") + " disabled: " + t);
            }
        }
        if (spec.http() != null) {
            try {
                new HttpProbe(spec.http(), httpIntervalMillis, httpTimeoutMillis, new HttpOutcome(sink)).start();
            } catch (Throwable t) {
                sink.problem("ready=http: disabled: " + t);
            }
        }
        if (spec.log() != null) {
            try {
                LogWatch.install(spec.log(), new LogOutcome(sink, "log:" + spec.log().pattern()));
            } catch (Throwable t) {
                sink.problem("ready=log: disabled: " + t);
            }
        }
    }

    /** Presets' decisions to the sink, with the listening ports named: {@code Jetty 12.1.14 on :8080}. */
    private static final class AutoOutcome implements AutoReadiness.Outcome {
        private final ReadySink sink;

        AutoOutcome(ReadySink sink) {
            this.sink = sink;
        }

        @Override
        public void ready(String detected) {
            String ports = ListeningPorts.describe();
            String described = ports.isEmpty() ? detected
                    : detected.endsWith(")") ? detected.substring(0, detected.length() - 1) + " on " + ports + ")"
                    : detected + " on " + ports;
            sink.conditionMet("auto", described);
        }

        @Override
        public void progress(String status) {
            sink.progress(status);
        }

        @Override
        public void failed(String component, Throwable failure) {
            sink.conditionFailed(component, failure);
        }

        @Override
        public void problem(String oneLine) {
            sink.problem(oneLine);
        }
    }

    private static final class HttpOutcome implements HttpProbe.Result {
        private final ReadySink sink;

        HttpOutcome(ReadySink sink) {
            this.sink = sink;
        }

        @Override
        public void answered(String url, int status) {
            sink.conditionMet("http:" + url, url + " answered " + status);
        }

        @Override
        public void stillWaiting(String url, String lastOutcome) {
            sink.progress("Starting: waiting for http:" + url + " to answer 2xx (last: " + lastOutcome + ")");
        }
    }

    private static final class LogOutcome implements LogWatch.Matched {
        private final ReadySink sink;
        private final String condition;

        LogOutcome(ReadySink sink, String condition) {
            this.sink = sink;
            this.condition = condition;
        }

        @Override
        public void matched(String line) {
            sink.conditionMet(condition, condition);
        }
    }

}
