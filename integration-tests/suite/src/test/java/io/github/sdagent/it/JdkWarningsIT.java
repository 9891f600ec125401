package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What an operator reads in the service's log on every start: the JDK's own warnings (sun.misc.Unsafe
 * on JDK 23+, native access on JDK 24+) must never name the agent. The JDK prints each kind of
 * warning only for the first caller, so this runs the JDK's own HttpServer, which triggers none itself.
 */
class JdkWarningsIT {
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void theAgentCausesNoJdkWarnings(Jdk jdk) throws Exception {
        int port = Net.freePort();
        App app = App.JDK_HTTPSERVER;
        try (Unit unit = new Unit("warnings-" + jdk.id())) {
            unit.property("WatchdogSec", "10").env("PORT", Integer.toString(port));
            unit.startApp(jdk, app, "ready=" + app.readyHook, jdk.strictFlags());
            Unit.State state = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            assertEquals("active", state.active(), unit::diagnostics);
            Systemd.systemctl("stop", unit.name).check();
            Expect.noJdkWarningNamesTheAgent(unit);
            Expect.noNativeAccessWarning(unit);
        }
    }
}
