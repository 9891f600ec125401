package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * WatchdogSec=3: the agent's pings keep the unit alive for 15 s (five watchdog periods); the same
 * unit with {@code watchdog=off} is killed by systemd, which proves the first test can fail.
 */
class WatchdogIT {
    private static final App APP = App.JDK_HTTPSERVER;

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void agentPingsKeepTheUnitAlive(Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Unit unit = new Unit("watchdog-" + jdk.id())) {
            unit.property("WatchdogSec", "3").env("PORT", Integer.toString(port));
            unit.startApp(jdk, APP, "ready=" + APP.readyHook, jdk.strictFlags());
            Unit.State active = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            assertEquals("active", active.active(), unit::diagnostics);

            Set<Long> pings = new HashSet<>();
            unit.holds("active, same process, no restart", Duration.ofSeconds(15), s -> {
                pings.add(s.watchdogTimestamp());
                return s.is("active") && s.mainPid() == active.mainPid() && s.restarts() == 0;
            });
            // Pings every 1.5 s: systemd's record of the last one moved on about ten times.
            assertTrue(pings.size() >= 6, () -> "systemd saw only " + pings.size() + " distinct pings\n" + unit.diagnostics());
            assertTrue(Net.get(port).startsWith(APP.greeting()));
        }
    }

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void withoutTheAgentsPingsSystemdKillsIt(Jdk jdk) throws Exception {
        int port = Net.freePort();
        try (Unit unit = new Unit("nowatchdog-" + jdk.id())) {
            unit.property("WatchdogSec", "3").env("PORT", Integer.toString(port));
            unit.startApp(jdk, APP, "ready=" + APP.readyHook + ",watchdog=off", jdk.strictFlags());
            Unit.State killed = unit.await("failed", Unit.START_TIMEOUT, s -> s.is("failed"));
            assertEquals("watchdog", killed.result(), unit::diagnostics);
            assertTrue(unit.sawActiveState("active"), () -> "killed before it was ever ready\n" + unit.diagnostics());
        }
    }
}
