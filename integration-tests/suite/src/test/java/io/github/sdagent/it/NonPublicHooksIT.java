package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hooks on protected lifecycle methods, the ones the frameworks' own start() calls: Jetty's
 * {@code Server#doStart} and Tomcat's {@code StandardServer#startInternal} (reached through
 * {@code LifecycleBase#start}). Same proof as ReadinessIT: activating until the hook returns, then serving.
 */
class NonPublicHooksIT {
    static Stream<Arguments> hooks() {
        List<Arguments> all = new ArrayList<>();
        for (Jdk jdk : Jdk.values()) {
            all.add(Arguments.of(App.JETTY, "org.eclipse.jetty.server.Server#doStart", jdk));
            all.add(Arguments.of(App.TOMCAT, "org.apache.catalina.core.StandardServer#startInternal", jdk));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{1} on {2}")
    @MethodSource("hooks")
    void protectedLifecycleMethodMakesTheUnitReady(App app, String hook, Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Unit unit = new Unit("protected-" + app.dir + "-" + jdk.id())) {
            unit.env("PORT", Integer.toString(port)).env("SAMPLE_START_DELAY_MS", "1500");
            unit.startApp(jdk, app, "ready=" + hook, jdk.strictFlags());
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            String body = Net.get(port);
            assertEquals("active", state.active(), unit::diagnostics);
            assertTrue(unit.sawActiveState("activating"), unit::diagnostics);
            assertTrue(body.startsWith(app.greeting()), body);
            Expect.readyStatus(unit, state, hook);
        }
    }
}
