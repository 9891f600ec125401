package io.github.sdagent.agent.ready;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sdagent.agent.HookSpec;
import java.net.BindException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The composition rule of ready=auto, on synthetic hook events (the real servers: AutoReadinessIT). */
class AutoReadinessTest {

    static final class Events implements AutoReadiness.Outcome {
        final List<String> seen = new ArrayList<>();

        @Override
        public synchronized void ready(String detected) {
            seen.add("READY " + detected);
        }

        @Override
        public synchronized void progress(String status) {
            seen.add("STATUS " + status);
        }

        @Override
        public synchronized void failed(String component, Throwable failure) {
            seen.add("FAILED " + component + ": " + failure.getMessage());
        }

        @Override
        public synchronized void problem(String oneLine) {
            seen.add("PROBLEM " + oneLine);
        }
    }

    private static HookSpec spec(String name) {
        for (Preset preset : Presets.ALL) {
            if (preset.name.equals(name)) {
                return preset.spec(preset.className);
            }
        }
        throw new IllegalArgumentException(name);
    }

    @Test
    void aFrameworkAroundAServerIsReadyOnceWhenTheFrameworkIsDone() {
        Events events = new Events();
        AutoReadiness auto = new AutoReadiness(Presets.ALL, events);
        auto.hookEntered(spec("Spring Boot"));
        auto.hookEntered(spec("Tomcat"));
        auto.hookReturned(spec("Tomcat"), null);
        assertTrue(auto.presetPending(), "Spring Boot is still starting");
        assertEquals(List.of("STATUS Starting: Spring Boot detected, waiting for it to serve"), events.seen);
        auto.hookReturned(spec("Spring Boot"), null);
        auto.hookEntered(spec("Jetty")); // a later start (a restart) never makes a second READY
        auto.hookReturned(spec("Jetty"), null);
        assertEquals(List.of("STATUS Starting: Spring Boot detected, waiting for it to serve",
                "READY Spring Boot (Tomcat)"), events.seen);
    }

    @Test
    void aFutureReturningBindIsInProgressUntilItCompletes() {
        Events events = new Events();
        AutoReadiness auto = new AutoReadiness(Presets.ALL, events);
        auto.hookEntered(spec("gRPC"));
        auto.hookEntered(spec("Netty"));
        auto.hookReturned(spec("gRPC"), null); // gRPC returned, the bind future not yet complete
        assertTrue(auto.presetPending());
        auto.hookReturned(spec("Netty"), null);
        assertEquals("READY gRPC + Netty", events.seen.get(events.seen.size() - 1));
    }

    @Test
    void aFailedStartIsNeverReady() {
        Events events = new Events();
        AutoReadiness auto = new AutoReadiness(Presets.ALL, events);
        auto.hookEntered(spec("Jetty"));
        auto.hookFailed(spec("Jetty"), new BindException("Address already in use"));
        auto.hookEntered(spec("Jetty"));
        auto.hookReturned(spec("Jetty"), null);
        assertEquals(List.of("STATUS Starting: Jetty detected, waiting for it to serve",
                "FAILED Jetty: Address already in use"), events.seen);
    }

    @Test
    void aCheckThatFindsAFailedConnectorIsAFailure() {
        Events events = new Events();
        List<Preset> table = List.of(new Preset("Tomcat", Preset.Kind.SERVER, "x.Service", "startInternal:",
                Presets.TOMCAT_CONNECTORS));
        AutoReadiness auto = new AutoReadiness(table, events);
        HookSpec spec = table.get(0).spec("x.Service");
        auto.hookEntered(spec);
        auto.hookReturned(spec, new FakeService("FAILED"));
        assertEquals("FAILED Tomcat: Tomcat connector Connector[8080] is FAILED (port in use?)",
                events.seen.get(events.seen.size() - 1));
        assertFalse(events.seen.stream().anyMatch(e -> e.startsWith("READY")));

        Events ok = new Events();
        AutoReadiness started = new AutoReadiness(table, ok);
        started.hookEntered(spec);
        started.hookReturned(spec, new FakeService("STARTED"));
        assertEquals("READY Tomcat", ok.seen.get(ok.seen.size() - 1));
    }

    @Test
    void aRelocatedCopyCountsAsItsPreset() {
        Events events = new Events();
        AutoReadiness auto = new AutoReadiness(Presets.ALL, events);
        HookSpec shaded = HookSpec.parse("com.acme.shaded.org.eclipse.jetty.server.Server#doStart:");
        auto.hookEntered(shaded);
        auto.hookReturned(shaded, null);
        assertEquals("READY Jetty relocated", events.seen.get(events.seen.size() - 1));
    }

    /** A relocated copy's jar is the vendor's: its version would be the vendor's, so the jar is named instead. */
    @Test
    void aRelocatedCopyIsNamedByItsJarNotItsVersion() {
        Object fromAJar = new org.junit.jupiter.api.extension.ExtensionContextException("x");
        assertTrue(AutoReadiness.relocatedIn(fromAJar).matches(" relocated in junit-jupiter-api-[0-9.]+\\.jar"),
                AutoReadiness.relocatedIn(fromAJar));
        assertEquals(" relocated", AutoReadiness.relocatedIn(null));
    }

    /** The shape of Tomcat's StandardService and Connector that the check reads. */
    public static final class FakeService {
        private final String state;

        FakeService(String state) {
            this.state = state;
        }

        public Object[] findConnectors() {
            return new Object[] {new FakeConnector(state)};
        }
    }

    public static final class FakeConnector {
        private final String state;

        FakeConnector(String state) {
            this.state = state;
        }

        public String getStateName() {
            return state;
        }

        @Override
        public String toString() {
            return "Connector[8080]";
        }
    }
}
