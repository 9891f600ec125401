package io.github.sdagent.agent.watchdog;

import io.github.sdagent.agent.config.AgentConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatchdogTest {

    static AgentConfig config(String options) {
        return AgentConfig.load(options, new Properties());
    }

    static final ServiceState READY = new ServiceState() {
        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public boolean isStopping() {
            return false;
        }
    };

    @Test
    void halfOfWatchdogUsecByDefault() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            assertEquals(Duration.ofSeconds(15), Watchdog.interval(30_000_000, config(""), recorder.log));
            assertEquals(Duration.ofMillis(1500), Watchdog.interval(3_000_000, config(""), recorder.log));
        }
    }

    @Test
    void configuredIntervalWins() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            assertEquals(Duration.ofSeconds(5), Watchdog.interval(30_000_000, config("watchdog-interval=5s"), recorder.log));
            assertEquals("", recorder.log());
        }
    }

    @Test
    void intervalNotShorterThanTheLimitIsRefusedWithAWarning() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            assertEquals(Duration.ofSeconds(5), Watchdog.interval(10_000_000, config("watchdog-interval=10s"), recorder.log));
            assertTrue(recorder.log().contains("watchdog-interval=10s is not shorter than the unit's WatchdogSec (10s)"), recorder.log());
        }
    }

    /** Issue 15: WATCHDOG_USEC=1 made the agent send 143,574 pings in 2.5 s. */
    @Test
    void absurdlyShortWatchdogUsecIsFlooredWithOneWarning() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            assertEquals(WatchdogOptions.MIN_PING_INTERVAL, Watchdog.interval(1, config(""), recorder.log));
            assertTrue(recorder.log().contains("WATCHDOG_USEC=1 (WatchdogSec=1us) asks for a ping every 0us; the agent pings every 100ms at most"),
                    recorder.log());
            assertEquals(WatchdogOptions.MIN_PING_INTERVAL, Watchdog.interval(150_000, config(""), recorder.log));
            assertEquals(WatchdogOptions.MAX_INTERVAL, Watchdog.interval(Long.MAX_VALUE, config(""), recorder.log));
        }
    }

    @Test
    void pingsUsedAsFastAsTheFloorAllowsAtMost() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            Duration interval = Watchdog.interval(1, config(""), recorder.log);
            ScheduledFuture<?> pings = new Watchdog(recorder, null, recorder.log).start(recorder.executor, interval);
            Thread.sleep(1000);
            pings.cancel(false);
            int count = recorder.drain().size();
            assertTrue(count >= 3 && count <= 12, count + " pings in 1 s");
        }
    }

    /** Issue 15: an OutOfMemoryError in a ping round ended the periodic task, and with it every later ping. */
    @Test
    void aRoundThatThrowsAnErrorDoesNotEndThePings() throws Exception {
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger(2);
        try (RecordingNotifications recorder = new RecordingNotifications() {
            @Override
            public boolean sendNow(String... assignments) {
                if (failures.getAndDecrement() > 0) {
                    throw new OutOfMemoryError("Java heap space");
                }
                return super.sendNow(assignments);
            }
        }) {
            ScheduledFuture<?> pings = new Watchdog(recorder, null, recorder.log).start(recorder.executor, Duration.ofMillis(100));
            assertEquals("WATCHDOG=1", recorder.next());
            assertEquals("WATCHDOG=1", recorder.next());
            pings.cancel(false);
            assertTrue(recorder.log().contains("a WATCHDOG=1 round failed (java.lang.OutOfMemoryError: Java heap space); "
                    + "the next one follows as usual"), recorder.log());
            assertEquals(1, recorder.log().split("round failed", -1).length - 1, "said once: " + recorder.log());
        }
    }

    @Test
    void offOrNotExpectedMeansNoPings() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            assertNull(Watchdog.interval(30_000_000, config("watchdog=off"), recorder.log));
            assertNull(Watchdog.interval(0, config(""), recorder.log));
            assertNull(Watchdog.interval(0, config("watchdog-interval=1s"), recorder.log));
        }
    }

    @Test
    void unhealthyTriggersOnceThenRecoversAndPingsResume() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            AtomicReference<String> problem = new AtomicReference<>();
            HealthMonitor monitor = new HealthMonitor(Collections.<HealthCheck>singletonList(problem::get), recorder, READY,
                    AgentConfig.WatchdogAction.TRIGGER, recorder.log);
            Watchdog watchdog = new Watchdog(recorder, monitor, recorder.log);
            monitor.round();
            assertTrue(watchdog.tick());
            assertEquals(Collections.singletonList("WATCHDOG=1"), recorder.drain());
            problem.set("database unreachable");
            monitor.round();
            monitor.round();
            assertFalse(watchdog.tick());
            assertEquals(Arrays.asList("STATUS=Unhealthy: database unreachable", "WATCHDOG=trigger"), recorder.drain());
            problem.set(null);
            monitor.round();
            assertTrue(watchdog.tick());
            List<String> sent = recorder.drain(); // the STATUS is queued, the ping sent directly: any order
            assertTrue(sent.contains("WATCHDOG=1"), sent.toString());
            assertTrue(sent.contains("STATUS=Healthy again after 1s (was: database unreachable)"), sent.toString());
            assertEquals(1, recorder.log().split("unhealthy: database unreachable; sending WATCHDOG=trigger", -1).length - 1, recorder.log());
        }
    }

    /**
     * The checks are built by the first round on the health thread, not by the agent's set-up that READY=1 waits for
     * (issue 14): until then the monitor is healthy and the pings go out; a set-up that fails (out of memory) is
     * retried by the next round, and the pings never stop for it.
     */
    @Test
    void checksAreBuiltByTheFirstRoundAndAFailedBuildIsRetried() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            java.util.concurrent.atomic.AtomicInteger builds = new java.util.concurrent.atomic.AtomicInteger();
            HealthMonitor monitor = new HealthMonitor(new HealthMonitor.Checks() {
                @Override
                public List<HealthCheck> create() {
                    if (builds.incrementAndGet() == 1) {
                        throw new OutOfMemoryError("Java heap space");
                    }
                    return Collections.<HealthCheck>singletonList(() -> "database unreachable");
                }
            }, recorder, READY, AgentConfig.WatchdogAction.SKIP, recorder.log);
            Watchdog watchdog = new Watchdog(recorder, monitor, recorder.log);
            assertEquals(0, builds.get());
            assertTrue(watchdog.tick());
            assertEquals(Collections.singletonList("WATCHDOG=1"), recorder.drain());
            try {
                monitor.round();
            } catch (OutOfMemoryError expected) {
                // HealthMonitor#start's task says it and lets the next round come
            }
            assertTrue(monitor.healthy());
            assertTrue(watchdog.tick());
            monitor.round();
            assertEquals(2, builds.get());
            assertFalse(watchdog.tick());
            monitor.round();
            assertEquals(2, builds.get(), "built once, kept");
        }
    }

    /** A round that fails the same way every time (checks that cannot be built) says so once, not every round. */
    @Test
    void aRoundFailingTheSameWayIsSaidOnce() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            HealthMonitor monitor = new HealthMonitor(Collections.<HealthCheck>emptyList(), recorder, READY,
                    AgentConfig.WatchdogAction.SKIP, recorder.log);
            monitor.roundFailed(new NoClassDefFoundError("java/lang/management/ManagementFactory"));
            monitor.roundFailed(new NoClassDefFoundError("java/lang/management/ManagementFactory"));
            monitor.roundFailed(new OutOfMemoryError("Java heap space"));
            String log = recorder.log();
            assertEquals(1, log.split("health round failed: java.lang.NoClassDefFoundError", -1).length - 1, log);
            assertEquals(1, log.split("health round failed: java.lang.OutOfMemoryError", -1).length - 1, log);
        }
    }

    @Test
    void skipStopsPingingWithoutTrigger() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            HealthMonitor monitor = new HealthMonitor(Collections.<HealthCheck>singletonList(() -> "GC took 90 % of the last 30s"),
                    recorder, READY, AgentConfig.WatchdogAction.SKIP, recorder.log);
            monitor.round();
            assertFalse(new Watchdog(recorder, monitor, recorder.log).tick());
            assertEquals(Collections.singletonList("STATUS=Unhealthy: GC took 90 % of the last 30s"), recorder.drain());
        }
    }

    @Test
    void aThrowingCheckCountsAsUnhealthyAndTheFirstProblemWins() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            HealthCheck broken = new HealthCheck() {
                @Override
                public String problem() {
                    throw new IllegalStateException("boom");
                }

                @Override
                public String toString() {
                    return "broken";
                }
            };
            HealthMonitor monitor = new HealthMonitor(Arrays.asList(broken, () -> "second"), recorder, READY,
                    AgentConfig.WatchdogAction.SKIP, recorder.log);
            monitor.round();
            assertEquals("health check broken failed: java.lang.IllegalStateException: boom", monitor.problem());
        }
    }

    @Test
    void noVerdictWhileStopping() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            ServiceState stopping = new ServiceState() {
                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public boolean isStopping() {
                    return true;
                }
            };
            HealthMonitor monitor = new HealthMonitor(Collections.<HealthCheck>singletonList(() -> "bad"), recorder, stopping,
                    AgentConfig.WatchdogAction.TRIGGER, recorder.log);
            monitor.round();
            assertTrue(monitor.healthy());
            assertTrue(recorder.drain().isEmpty());
        }
    }

    @Test
    void statusLineNeverOverwritesUnhealthy() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            AtomicReference<String> problem = new AtomicReference<>();
            HealthMonitor monitor = new HealthMonitor(Collections.<HealthCheck>singletonList(problem::get), recorder, READY,
                    AgentConfig.WatchdogAction.SKIP, recorder.log);
            StatusLine line = new StatusLine(recorder, READY, monitor, recorder.log);
            line.start(recorder.executor, java.util.concurrent.TimeUnit.HOURS.toNanos(1)); // scheduled, run by hand
            line.run();
            line.run();
            List<String> sent = recorder.drain();
            assertEquals(2, sent.size(), sent.toString());
            assertTrue(sent.get(1).matches("STATUS=Ready 0s; heap \\d+/\\d+ MB; \\d+ threads; GC \\d+\\.\\d %"), sent.toString());
            problem.set("deadlock between \"a\" and \"b\"");
            monitor.round();
            line.run();
            assertEquals(Collections.singletonList("STATUS=Unhealthy: deadlock between \"a\" and \"b\""), recorder.drain());
        }
    }

    @Test
    void ageIsShort() {
        assertEquals("40s", StatusLine.age(40));
        assertEquals("5m 12s", StatusLine.age(312));
        assertEquals("2h 3m", StatusLine.age(2 * 3600 + 3 * 60 + 59));
    }
}
