package io.github.sdagent.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A healthy JVM that is merely busy is never restarted: every core spinning, allocation-heavy, many young GCs a
 * second, WatchdogSec=2, for 60 s. Its own class because it loads the whole machine for a minute per JDK: CI must not
 * run it alongside timing-sensitive tests. The control shows the test can fail: the same load with pings sent from a
 * thread that shares the application's work (the application's own pool) gets the unit killed.
 */
class WatchdogLoadIT {

    static final int LOAD_SECONDS = 60;

    @TempDir
    Path dir;

    private WatchdogUnits units;

    @BeforeEach
    void manager() throws Exception {
        UserManager.require();
        units = new WatchdogUnits(dir);
    }

    @AfterEach
    void cleanUp() {
        units.close();
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void busyButHealthyJvmIsNeverKilled(String jdk) throws Exception {
        String unit = units.name("load");
        units.start(unit, jdk, WatchdogUnits.READY, Arrays.asList("-Xmx256m", "-Xmn32m"), null,
                Arrays.asList("load", Integer.toString(LOAD_SECONDS)), "WatchdogSec=2", "Restart=on-failure", "Nice=5");
        assertEquals("active", UserManager.await(unit, 60_000, "active", "failed").get("ActiveState"), units.out(unit));
        long end = System.currentTimeMillis() + (LOAD_SECONDS + 5) * 1000L;
        while (System.currentTimeMillis() < end) {
            Map<String, String> state = UserManager.show(unit);
            assertEquals("active", state.get("ActiveState"), "killed under load: " + state + units.stops(unit) + units.out(unit));
            assertEquals("0", state.get("NRestarts"), state + units.stops(unit) + units.out(unit));
            assertEquals("", units.stops(unit), units.out(unit));
            Thread.sleep(1000);
        }
        Matcher gcs = Pattern.compile("load done: (\\d+) GCs in (\\d+) s").matcher(units.out(unit));
        assertTrue(gcs.find(), units.out(unit));
        System.out.println("JDK " + jdk + ": " + gcs.group(1) + " GCs in " + gcs.group(2) + " s under load, never restarted");
        assertTrue(Long.parseLong(gcs.group(1)) >= LOAD_SECONDS, "not allocation-heavy enough: " + gcs.group(0));
    }

    /** Pings queued on the application's busy pool (agent watchdog=off): without the load they keep the unit up. */
    @Test
    void pingsFromAStarvedThreadGetTheSameUnitKilled() throws Exception {
        String classpath = ForkedJvm.testClasspath() + File.pathSeparator + Paths.get("../core/target/classes").toAbsolutePath()
                + File.pathSeparator + System.getProperty("sdagent.test.jna.jar");
        String idle = units.name("pings-idle");
        units.start(idle, "17", WatchdogUnits.READY + ",watchdog=off", Collections.<String>emptyList(), classpath,
                Arrays.asList("starved-pings", "0"), "WatchdogSec=2");
        assertEquals("active", UserManager.await(idle, 60_000, "active", "failed").get("ActiveState"), units.out(idle));
        Thread.sleep(8_000);
        assertEquals("active", UserManager.show(idle).get("ActiveState"), "the application's own pings do reach systemd: "
                + units.stops(idle) + units.out(idle));

        String starved = units.name("pings-starved");
        units.start(starved, "17", WatchdogUnits.READY + ",watchdog=off", Arrays.asList("-Xmx256m", "-Xmn32m"), classpath,
                Arrays.asList("starved-pings", Integer.toString(LOAD_SECONDS)), "WatchdogSec=2", "Nice=5");
        String stops = units.awaitStop(starved, 60_000);
        assertTrue(stops.startsWith("result=watchdog "), "starved pings kept the unit alive: " + stops + units.out(starved));
    }
}
