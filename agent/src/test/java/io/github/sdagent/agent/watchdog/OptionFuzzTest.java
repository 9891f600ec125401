package io.github.sdagent.agent.watchdog;

import io.github.sdagent.agent.config.AgentConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Properties;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Generated values for every watchdog option (issue 15): each is accepted, within its bounds, or refused with one
 * line naming the key and the value; nothing else escapes. The seed is printed so a failure replays
 * ({@code -Dsdagent.test.seed=N}).
 */
class OptionFuzzTest {

    static final String[] KEYS = {"watchdog-interval", "watchdog-action", "deadlock-check", "gc-overhead", "gc-window",
            "heap-after-gc", "health", "health-timeout", "health-grace", "health-failures", "start-extend", "stop-extend",
            "status-interval"};
    static final String[] PIECES = {"0", "1", "5", "50", "100", "101", "999999999", "9999999999", "-1", "%", "s", "ms", "us",
            "min", "h", "off", "on", "skip", "trigger", "http://", "https://", "127.0.0.1:8080/", "#", "a.B", "isHealthy",
            "(", ")", ":", "int", " ", "\t", "\u00e9", "\u0000", "x", "."};

    @Test
    void everyGeneratedValueIsAcceptedWithinBoundsOrRefusedInOneLine() {
        long seed = Long.getLong("sdagent.test.seed", System.nanoTime());
        System.out.println("OptionFuzzTest seed " + seed);
        Random random = new Random(seed);
        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < 5000; i++) {
            String key = KEYS[random.nextInt(KEYS.length)];
            StringBuilder value = new StringBuilder();
            for (int n = random.nextInt(5); n >= 0; n--) {
                value.append(PIECES[random.nextInt(PIECES.length)]);
            }
            String text = value.toString();
            if (text.indexOf(',') >= 0 || text.trim().isEmpty()) {
                continue;
            }
            Properties properties = new Properties();
            properties.setProperty("sdagent." + key, text); // a system property: no ',' splitting to get in the way
            try {
                AgentConfig config = AgentConfig.load(null, properties);
                inBounds(config, key + "=" + text + " (seed " + seed + ")");
                accepted++;
            } catch (IllegalArgumentException e) {
                refused++;
                String message = e.getMessage();
                assertTrue(message.startsWith("invalid option " + key + "="), message + " (seed " + seed + ")");
                assertTrue(message.indexOf('\n') < 0, "two lines: " + message + " (seed " + seed + ")");
            } catch (RuntimeException e) {
                fail(key + "=" + text + " threw " + e + " (seed " + seed + ")");
            }
        }
        System.out.println("OptionFuzzTest: " + accepted + " accepted, " + refused + " refused");
        assertTrue(accepted > 100 && refused > 100, accepted + " accepted, " + refused + " refused: the generator is off");
    }

    private static void inBounds(AgentConfig config, String what) {
        WatchdogOptions o = config.watchdogOptions();
        within(config.watchdogInterval(), WatchdogOptions.MIN_PING_INTERVAL, WatchdogOptions.MAX_INTERVAL, what);
        within(o.gcWindow(), WatchdogOptions.MIN_GC_WINDOW, WatchdogOptions.MAX_INTERVAL, what);
        within(o.healthTimeout(), WatchdogOptions.MIN_TIMEOUT, WatchdogOptions.MAX_TIMEOUT, what);
        within(o.healthGrace(), Duration.ofSeconds(1), WatchdogOptions.MAX_INTERVAL, what);
        within(o.startExtend(), WatchdogOptions.MIN_EXTEND, WatchdogOptions.MAX_EXTEND, what);
        within(o.stopExtend(), WatchdogOptions.MIN_EXTEND, WatchdogOptions.MAX_EXTEND, what);
        within(o.statusInterval(), WatchdogOptions.MIN_STATUS_INTERVAL, WatchdogOptions.MAX_STATUS_INTERVAL, what);
        assertTrue(o.gcOverheadPercent() >= 0 && o.gcOverheadPercent() <= 100, what);
        assertTrue(o.heapAfterGcPercent() >= 0 && o.heapAfterGcPercent() <= 100, what);
        assertTrue(o.healthFailures() >= 1 && o.healthFailures() <= 100, what);
    }

    private static void within(Duration value, Duration min, Duration max, String what) {
        if (value != null) {
            assertTrue(value.compareTo(min) >= 0 && value.compareTo(max) <= 0, what + " gave " + value);
        }
    }
}
