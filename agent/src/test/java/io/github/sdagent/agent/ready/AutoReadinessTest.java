package io.github.sdagent.agent.ready;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sdagent.agent.hooks.HookSpec;
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
    void aServerStartedWhileTheClaimWaitsForTheMainThreadIsPartOfReady() {
        Events events = new Events();
        List<Runnable> claims = new ArrayList<>();
        AutoReadiness auto = new AutoReadiness(Presets.ALL, events, claims::add); // the main thread has not settled yet
        auto.hookEntered(spec("Netty"));
        auto.hookReturned(spec("Netty"), null);
        assertEquals(1, claims.size(), "READY is claimed once the main thread settles");
        auto.hookEntered(spec("Jetty")); // the console, started by the main thread meanwhile
        claims.get(0).run(); // settled (or the bound passed): the claim is overtaken by the start in progress
        assertFalse(events.seen.stream().anyMatch(e -> e.startsWith("READY")), events.seen.toString());
        auto.hookReturned(spec("Jetty"), null);
        assertEquals(2, claims.size());
        claims.get(1).run();
        claims.get(1).run(); // once
        assertEquals(List.of("STATUS Starting: Netty detected, waiting for it to serve", "READY Netty + Jetty"), events.seen);
    }

    @Test
    void aClaimOvertakenByALaterCompletionLeavesReadyToThatOne() {
        Events events = new Events();
        List<Runnable> claims = new ArrayList<>();
        AutoReadiness auto = new AutoReadiness(Presets.ALL, events, claims::add);
        auto.hookEntered(spec("Netty"));
        auto.hookReturned(spec("Netty"), null);
        auto.hookEntered(spec("Undertow"));
        auto.hookReturned(spec("Undertow"), null);
        claims.get(0).run(); // the first claim's wait ended after the second server completed: not its READY
        assertFalse(events.seen.stream().anyMatch(e -> e.startsWith("READY")), events.seen.toString());
        claims.get(1).run();
        assertEquals("READY Netty + Undertow", events.seen.get(events.seen.size() - 1));
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

    /**
     * Micronaut 4's row: Micronaut#start waits on a latch until shutdown for a keep-alive server (the default of
     * EmbeddedServer) and exits inside start when it fails, so the row hooks NettyHttpServer#start, which encloses
     * its Netty binds and throws when a port is taken; READY once it returned, named framework first.
     */
    @Test
    void micronautIsReadyWhenItsNettyServerStartedNotWhenMicronautStartReturns() {
        Events events = new Events();
        AutoReadiness auto = new AutoReadiness(Presets.ALL, events);
        HookSpec micronaut = spec("Micronaut");
        assertEquals("io.micronaut.http.server.netty.NettyHttpServer#start()", micronaut.toString());
        auto.hookEntered(micronaut);
        auto.hookEntered(spec("Netty"));
        auto.hookReturned(spec("Netty"), null);
        assertTrue(auto.presetPending(), "the Micronaut server is still starting");
        auto.hookReturned(micronaut, null);
        assertEquals("READY Micronaut (Netty)", events.seen.get(events.seen.size() - 1));

        Events failed = new Events();
        AutoReadiness taken = new AutoReadiness(Presets.ALL, failed);
        taken.hookEntered(micronaut);
        taken.hookFailed(micronaut, new IllegalStateException("Unable to start Micronaut server on *:8080"));
        assertEquals("FAILED Micronaut: Unable to start Micronaut server on *:8080", failed.seen.get(failed.seen.size() - 1));
        assertFalse(failed.seen.stream().anyMatch(e -> e.startsWith("READY")));
    }

    /**
     * Helidon 4's row: LoomServer#start returns normally when a listener failed to bind (it logs "Helidon WebServer
     * failed to start, shutting down"): the check asks isRunning() through the public interface, LoomServer being
     * package-private like FakeLoomServer here.
     */
    @Test
    void helidonThatReturnsFromStartWithoutRunningIsAFailure() throws Exception {
        HookSpec helidon = spec("Helidon");
        assertEquals("io.helidon.webserver.LoomServer#start()", helidon.toString());
        Events events = new Events();
        AutoReadiness auto = new AutoReadiness(Presets.ALL, events);
        auto.hookEntered(helidon);
        auto.hookReturned(helidon, new FakeLoomServer(false));
        assertEquals("FAILED Helidon: Helidon WebServer is not running after start (a listener failed to start: port in use?)",
                events.seen.get(events.seen.size() - 1));
        assertFalse(events.seen.stream().anyMatch(e -> e.startsWith("READY")));

        Events ok = new Events();
        AutoReadiness started = new AutoReadiness(Presets.ALL, ok);
        started.hookEntered(helidon);
        started.hookReturned(helidon, new FakeLoomServer(true));
        assertEquals("READY Helidon", ok.seen.get(ok.seen.size() - 1));
        assertEquals(FakeWebServer.class, Presets.publicMethod(FakeLoomServer.class, "isRunning").getDeclaringClass());
    }

    /** Quarkus 3's row: Application#start returns after the HTTP step waited for Vert.x's listen, which it encloses. */
    @Test
    void quarkusIsReadyWhenApplicationStartReturnedAroundItsVertxListen() {
        Events events = new Events();
        AutoReadiness auto = new AutoReadiness(Presets.ALL, events);
        HookSpec quarkus = spec("Quarkus");
        assertEquals("io.quarkus.runtime.Application#start(java.lang.String[])", quarkus.toString());
        auto.hookEntered(quarkus);
        auto.hookEntered(spec("Vert.x"));
        auto.hookEntered(spec("Netty"));
        auto.hookReturned(spec("Netty"), null);
        auto.hookReturned(spec("Vert.x"), null);
        assertTrue(auto.presetPending(), "Quarkus is still starting");
        auto.hookReturned(quarkus, null);
        assertEquals("READY Quarkus (Netty + Vert.x)", events.seen.get(events.seen.size() - 1));
    }

    /** The public interface of Helidon's WebServer that the check calls. */
    public interface FakeWebServer {
        boolean isRunning();
    }

    /** Package-private like Helidon's LoomServer. */
    static final class FakeLoomServer implements FakeWebServer {
        private final boolean running;

        FakeLoomServer(boolean running) {
            this.running = running;
        }

        @Override
        public boolean isRunning() {
            return running;
        }
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
