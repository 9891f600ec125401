package io.github.sdagent.agent;

import io.github.sdagent.agent.lifecycle.Elapsed;

import io.github.sdagent.agent.watchdog.WrapperWatchdog;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /proc parsing: pid, parent, process age (Elapsed) and the forking wrapper's watchdog. */
class ProcessFactsTest {

    static final String STAT = "4242 (java (weird) name) S 4000 4242 4242 0 -1 4194560 1 0 0 0 5 3 0 0 20 0 19 0 123456 "
            + "1000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

    @Test
    void pidAndParentMatchTheJdk() throws Exception {
        assertEquals(ProcessHandle.current().pid(), ProcessInfo.pid());
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), ProcessInfo.parentPid());
        assertEquals(4000, ProcessInfo.parentPidFromStat(STAT));
        assertEquals(4711, ProcessInfo.systemdExecPid("4711"));
        assertEquals(0, ProcessInfo.systemdExecPid(null), "older systemd");
        assertEquals(0, ProcessInfo.systemdExecPid("4711\nSTATUS=x"), "garbage is no pid");
    }

    @Test
    void processAgeFromStartTicksAndUptime() {
        assertEquals(2_310_000_000L, Elapsed.processAgeNanos(STAT, "1236.87 2000.00\n"));
        assertEquals(0, Elapsed.processAgeNanos(STAT, "1000.00 1.00"), "negative age is implausible");
        long age = Elapsed.sinceProcessStart(System.nanoTime()).now().toMillis();
        long jdkAge = System.currentTimeMillis() - ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
        assertTrue(Math.abs(age - jdkAge) < 1000, age + " vs " + jdkAge);
    }

    @Test
    void wrapperWatchdogOnlyForOurParent() {
        Map<String, String> env = Map.of("WATCHDOG_USEC", "3000000", "WATCHDOG_PID", "77");
        assertEquals(3_000_000, WrapperWatchdog.inheritedUsec(env, 77));
        assertEquals(0, WrapperWatchdog.inheritedUsec(env, 78));
        assertEquals(0, WrapperWatchdog.inheritedUsec(Map.of("WATCHDOG_USEC", "x", "WATCHDOG_PID", "77"), 77));
        assertEquals(0, WrapperWatchdog.inheritedUsec(Map.of("WATCHDOG_USEC", "5"), 77));
    }
}
