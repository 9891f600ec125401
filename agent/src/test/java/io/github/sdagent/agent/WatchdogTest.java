package io.github.sdagent.agent;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ScheduledFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatchdogTest {

    private static AgentConfig config(String options) {
        return AgentConfig.load(options, new Properties());
    }

    @Test
    void halfOfWatchdogUsecByDefault() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            assertEquals(Duration.ofSeconds(15), Watchdog.interval(30_000_000, config(""), recorder.log));
            assertEquals(Duration.ofMillis(1500), Watchdog.interval(3_000_000, config(""), recorder.log));
        }
    }

    @Test
    void configuredIntervalWins() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            assertEquals(Duration.ofSeconds(5), Watchdog.interval(30_000_000, config("watchdog-interval=5s"), recorder.log));
            assertEquals("", recorder.log());
        }
    }

    @Test
    void intervalNotShorterThanTheLimitIsRefusedWithAWarning() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            assertEquals(Duration.ofSeconds(5), Watchdog.interval(10_000_000, config("watchdog-interval=10s"), recorder.log));
            assertTrue(recorder.log().contains("watchdog-interval=10s is not shorter than the unit's WatchdogSec (10s)"), recorder.log());
        }
    }

    @Test
    void offOrNotExpectedMeansNoPings() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            assertNull(Watchdog.interval(30_000_000, config("watchdog=off"), recorder.log));
            assertNull(Watchdog.interval(0, config(""), recorder.log));
            assertNull(Watchdog.interval(0, config("watchdog-interval=1s"), recorder.log));
        }
    }

    @Test
    void pingsOnlyWhileEveryCheckIsHealthy() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            List<String> problems = new ArrayList<>(Collections.singletonList(null));
            Watchdog watchdog = new Watchdog(recorder.notifier, Collections.singletonList(() -> problems.get(0)), recorder.log);
            assertTrue(watchdog.tick());
            assertEquals("WATCHDOG=1", recorder.next());
            problems.set(0, "database unreachable");
            assertFalse(watchdog.tick());
            assertFalse(watchdog.tick());
            assertTrue(recorder.rest(Duration.ZERO).isEmpty());
            assertEquals(1, recorder.log().split("unhealthy, not sending WATCHDOG=1: database unreachable", -1).length - 1);
            problems.set(0, null);
            assertTrue(watchdog.tick());
            assertTrue(recorder.log().contains("healthy again"));
        }
    }

    @Test
    void aThrowingCheckCountsAsUnhealthy() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            HealthCheck broken = () -> {
                throw new IllegalStateException("boom");
            };
            assertFalse(new Watchdog(recorder.notifier, Collections.singletonList(broken), recorder.log).tick());
            assertTrue(recorder.log().contains("threw java.lang.IllegalStateException: boom"), recorder.log());
        }
    }

    @Test
    void scheduledPingsKeepComing() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            ScheduledFuture<?> pings = new Watchdog(recorder.notifier, Collections.emptyList(), recorder.log)
                    .start(recorder.executor, Duration.ofMillis(50));
            for (int i = 0; i < 4; i++) {
                assertEquals("WATCHDOG=1", recorder.next());
            }
            pings.cancel(false);
        }
    }
}
