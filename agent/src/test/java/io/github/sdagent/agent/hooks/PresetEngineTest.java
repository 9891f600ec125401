package io.github.sdagent.agent.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.acme.shaded.io.undertow.Undertow;
import io.github.sdagent.agent.Transformers;
import io.github.sdagent.agent.ready.AutoReadiness;
import io.github.sdagent.agent.ready.Presets;
import io.github.sdagent.agent.ready.ShadedNames;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ready=auto through the real hook engine, in this JVM: a relocated copy of a preset class (the fixture
 * {@code com.acme.shaded.io.undertow.Undertow}, loaded only after the presets are installed) is recognised by its
 * name alone and hooked; READY comes once, after its start() returned with the port open.
 */
class PresetEngineTest {

    @BeforeAll
    static void attach() throws Exception {
        HookTestSupport.instrumentation();
    }

    @Test
    void aShadedUndertowIsDetectedAndReadyOnceItsStartReturned() throws Exception {
        Instrumentation inst = HookTestSupport.instrumentation();
        List<String> events = new ArrayList<>();
        AutoReadiness auto = new AutoReadiness(Presets.ALL, new AutoReadiness.Outcome() {
            @Override
            public synchronized void ready(String detected) {
                events.add("READY " + detected);
            }

            @Override
            public synchronized void progress(String status) {
                events.add(status);
            }

            @Override
            public synchronized void failed(String component, Throwable failure) {
                events.add("FAILED " + component);
            }

            @Override
            public synchronized void problem(String oneLine) {
                events.add("PROBLEM " + oneLine);
            }
        });
        HookEngine.instance(inst, Transformers.direct(inst)).installOptional(auto.specs(), auto,
                new ShadedNames(Presets.ALL));
        Undertow server = new Undertow(0); // the fixture class loads here, after the install
        try {
            server.start();
            assertTrue(server.port() > 0);
            synchronized (auto) {
                assertEquals(List.of("Starting: Undertow detected, waiting for it to serve", "READY Undertow relocated"),
                        new ArrayList<>(events.subList(0, Math.min(2, events.size()))), events.toString());
            }
        } finally {
            server.stop();
        }
        assertEquals(1, events.stream().filter(e -> e.startsWith("READY")).count(), events.toString());
    }
}
