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
 * Every sample server, unmodified, on JDK 17 and on JDK 25 (there with native access denied to all
 * but what the JDK itself enables): Type=notify stays {@code activating} while the app is still
 * starting, turns {@code active} only once the hooked method has returned and the port answers, shows
 * the ready STATUS, and stops cleanly.
 */
class ReadinessIT {
    /** The app sleeps this long before starting its server: systemd must wait it out. */
    static final long START_DELAY_MS = 2500;

    static Stream<Arguments> appsOnJdks() {
        List<Arguments> all = new ArrayList<>();
        for (App app : App.underTest()) {
            if (app.autoReadinessOnly()) {
                continue;
            }
            for (Jdk jdk : Jdk.values()) {
                if (app.runsOn(jdk)) {
                    all.add(Arguments.of(app, jdk));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("appsOnJdks")
    void activeOnlyOnceServingThenCleanStop(App app, Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Unit unit = new Unit("ready-" + app.dir + "-" + jdk.id())) {
            unit.env("PORT", Integer.toString(port)).env("SAMPLE_START_DELAY_MS", Long.toString(START_DELAY_MS));
            long started = System.nanoTime();
            unit.startApp(jdk, app, "ready=" + app.readyHook, app.usesOwnNativeCode() ? List.of() : jdk.strictFlags());

            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            String body = Net.get(port); // at once: READY must not have come before the server listened
            long readyAfterMs = (System.nanoTime() - started) / 1_000_000;

            assertEquals("active", state.active(), unit::diagnostics);
            assertTrue(unit.sawActiveState("activating"), () -> "never saw activating\n" + unit.diagnostics());
            assertTrue(readyAfterMs >= START_DELAY_MS,
                    () -> "active after " + readyAfterMs + " ms, before the app's start delay was over\n" + unit.diagnostics());
            assertTrue(body.startsWith(app.greeting()), () -> "GET / answered: " + body);
            Expect.readyStatus(unit, state, app.readyHook);
            if (app.usesOwnNativeCode()) {
                Expect.ownLibrariesUsed(unit, state, body);
            } else {
                Expect.noNativeAccessWarning(unit);
            }

            Systemd.systemctl("stop", unit.name).check();
            assertEquals("success exited 143", unit.exitRecord(), unit::diagnostics);
        }
    }
}
