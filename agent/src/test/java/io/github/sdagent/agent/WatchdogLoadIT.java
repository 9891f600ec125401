package io.github.sdagent.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.AssertionFailedError;

import java.io.File;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A healthy JVM that is merely busy is never restarted: every core spinning, allocation-heavy, many young GCs a
 * second, WatchdogSec=2, for 60 s. Its own class because it loads the whole machine for a minute per JDK: CI must not
 * run it alongside timing-sensitive tests. The control shows the test can fail: the same load with pings sent from a
 * thread that shares the application's work (the application's own pool) gets the unit killed, and the very assertion
 * of the test ({@link #assertNeverKilled}) fails on it.
 */
class WatchdogLoadIT extends WatchdogUnitsSetUp {

    static final int LOAD_SECONDS = 60;
    /** The load: "10 young GCs a second" at least. */
    static final int MIN_GCS_PER_SECOND = 10;

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void busyButHealthyJvmIsNeverKilled(String jdk) throws Exception {
        String unit = units.name("load");
        units.start(unit, jdk, WatchdogUnits.READY, args("-Xmx256m", "-Xmn32m"), null,
                args("load", Integer.toString(LOAD_SECONDS)), "WatchdogSec=2", "Restart=on-failure", "Nice=5");
        units.awaitActive(unit);
        assertNeverKilled(unit, LOAD_SECONDS + 5);
        Matcher gcs = Pattern.compile("load done: (\\d+) GCs in (\\d+) s").matcher(units.out(unit));
        assertTrue(gcs.find(), units.out(unit));
        System.out.println("JDK " + jdk + ": " + gcs.group(1) + " GCs in " + gcs.group(2) + " s under load, never restarted");
        assertTrue(Long.parseLong(gcs.group(1)) >= (long) MIN_GCS_PER_SECOND * LOAD_SECONDS,
                "not allocation-heavy enough: " + gcs.group(0));
    }

    /** Once a second for {@code seconds}: still active, never restarted, never stopped. */
    private void assertNeverKilled(String unit, int seconds) throws Exception {
        long end = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < end) {
            Map<String, String> state = UserManager.show(unit);
            assertEquals("active", state.get("ActiveState"), "killed under load: " + state + units.stops(unit) + units.out(unit));
            assertEquals("0", state.get("NRestarts"), state + units.stops(unit) + units.out(unit));
            assertEquals("", units.stops(unit), units.out(unit));
            Thread.sleep(1000);
        }
    }

    /**
     * Pings queued on the application's busy pool (agent watchdog=off): without the load they keep the unit up; under
     * the same load as {@link #busyButHealthyJvmIsNeverKilled} the test's own assertion fails, with Result=watchdog.
     */
    @Test
    void pingsFromAStarvedThreadGetTheSameUnitKilled() throws Exception {
        String classpath = ForkedJvm.testClasspath() + File.pathSeparator + Paths.get("../core/target/classes").toAbsolutePath()
                + File.pathSeparator + System.getProperty("sdagent.test.jna.jar");
        String idle = units.name("pings-idle");
        units.start(idle, "17", WatchdogUnits.READY + ",watchdog=off", Collections.<String>emptyList(), classpath,
                args("starved-pings", "0"), "WatchdogSec=2");
        units.awaitActive(idle);
        Thread.sleep(8_000);
        assertEquals("active", UserManager.show(idle).get("ActiveState"), "the application's own pings do reach systemd: "
                + units.stops(idle) + units.out(idle));

        String starved = units.name("pings-starved");
        units.start(starved, "17", WatchdogUnits.READY + ",watchdog=off", args("-Xmx256m", "-Xmn32m"), classpath,
                args("starved-pings", Integer.toString(LOAD_SECONDS)), "WatchdogSec=2", "Nice=5");
        AssertionFailedError failed = assertThrows(AssertionFailedError.class, () -> assertNeverKilled(starved, LOAD_SECONDS + 5),
                "starved pings kept the unit alive");
        System.out.println("starved pings: the load test fails as it should: " + failed.getMessage().split("\n")[0]);
        String stops = units.awaitStop(starved, 60_000);
        assertTrue(stops.startsWith("result=watchdog "), "starved pings kept the unit alive: " + stops + units.out(starved));
    }
}
