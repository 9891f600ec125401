package io.github.sdagent.agent.lifecycle;

import io.github.sdagent.agent.config.AgentConfig;
import io.github.sdagent.agent.hooks.HookSpec;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifecycleTest {

    static final HookSpec SERVER = HookSpec.parse("org.eclipse.jetty.server.Server#start");
    static final HookSpec BIND = HookSpec.parse("io.netty.bootstrap.AbstractBootstrap#bind");
    private static Lifecycle lifecycle(RecordingSender recorder, String options, Long mainPid) {
        Elapsed elapsed = new Elapsed(0, 0) {
            @Override
            public Duration now() {
                return Duration.ofMillis(2314);
            }
        };
        return new Lifecycle(AgentConfig.load(options, new Properties()), recorder.notifier, elapsed, recorder.log, mainPid);
    }

    @Test
    void readyExactlyOnceWithTheJettyStyleStatus() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            Lifecycle lifecycle = lifecycle(recorder, "ready=" + SERVER, null);
            lifecycle.started();
            assertEquals("STATUS=Starting (waiting for org.eclipse.jetty.server.Server#start)", recorder.next());
            lifecycle.hookReturned(SERVER);
            lifecycle.hookReturned(SERVER);
            assertEquals("READY=1\nSTATUS=Ready in 2.31 s (org.eclipse.jetty.server.Server#start)", recorder.next());
            assertEquals(0, recorder.rest(Duration.ofMillis(100)).size());
            assertTrue(lifecycle.isReady());
            assertTrue(recorder.log().contains("sd-agent: Ready in 2.31 s"), recorder.log());
        }
    }

    @Test
    void aFastStartIsNeverFollowedByTheStartingStatus() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            Lifecycle lifecycle = lifecycle(recorder, "ready=" + SERVER, null);
            lifecycle.hookReturned(SERVER); // before the agent thread's first (delayed) work
            lifecycle.started();
            assertEquals("READY=1\nSTATUS=Ready in 2.31 s (org.eclipse.jetty.server.Server#start)", recorder.next());
            assertTrue(recorder.rest(Duration.ofMillis(100)).isEmpty());
        }
    }

    /**
     * Issue 14: the agent thread's first send (JNA's loading, tens of ms) never holds the application's thread whose
     * hooked method returns; READY=1 still goes out after the starting STATUS, never before it.
     */
    @Test
    void theFirstSendNeverHoldsTheApplicationsThread() throws Exception {
        java.util.concurrent.CountDownLatch firstSendStarted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch jnaLoaded = new java.util.concurrent.CountDownLatch(1);
        try (RecordingSender recorder = new RecordingSender() {
            private boolean first = true;

            @Override
            public boolean send(String... assignments) throws java.io.IOException {
                if (first) { // the cold path: JNA loads inside the first send
                    first = false;
                    firstSendStarted.countDown();
                    try {
                        jnaLoaded.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.send(assignments);
            }
        }) {
            Lifecycle lifecycle = lifecycle(recorder, "ready=" + SERVER, null);
            lifecycle.started();
            assertTrue(firstSendStarted.await(5, java.util.concurrent.TimeUnit.SECONDS));
            java.util.concurrent.Future<?> hookReturn = java.util.concurrent.Executors.newSingleThreadExecutor()
                    .submit(() -> lifecycle.hookReturned(SERVER)); // the application's thread
            hookReturn.get(2, java.util.concurrent.TimeUnit.SECONDS); // before: blocked until the first send ended
            jnaLoaded.countDown();
            assertEquals("STATUS=Starting (waiting for org.eclipse.jetty.server.Server#start)", recorder.next());
            assertEquals("READY=1\nSTATUS=Ready in 2.31 s (org.eclipse.jetty.server.Server#start)", recorder.next());
            assertTrue(recorder.rest(Duration.ofMillis(100)).isEmpty());
        }
    }

    /** Issue 14: while the agent's own set-up (the watchdog) is not done, READY=1 waits for it on the agent thread. */
    @Test
    void whileDirectSendsAreHeldReadyQueuesBehindTheAgentsSetUp() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            Lifecycle lifecycle = lifecycle(recorder, "ready=" + SERVER, null);
            assertTrue(recorder.notifier.sendNow("X_WARM=1"));
            assertEquals("X_WARM=1", recorder.next());
            recorder.notifier.holdDirectSends();
            java.util.concurrent.CountDownLatch setUp = new java.util.concurrent.CountDownLatch(1);
            recorder.executor.execute(() -> { // the agent's set-up, still running
                try {
                    setUp.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                recorder.notifier.releaseDirectSends();
            });
            lifecycle.hookReturned(SERVER);
            assertEquals(null, recorder.sent.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS),
                    "READY=1 must not leave before the set-up is done");
            setUp.countDown();
            assertEquals("READY=1\nSTATUS=Ready in 2.31 s (org.eclipse.jetty.server.Server#start)", recorder.next());
            assertTrue(recorder.notifier.canSendDirectly(), "released after the set-up");
        }
    }

    @Test
    void readyStatusRoundsToHundredths() {
        assertEquals("Ready in 0.00 s (x)", Lifecycle.readyStatus(Duration.ZERO, "x"));
        assertEquals("Ready in 0.05 s (x)", Lifecycle.readyStatus(Duration.ofMillis(47), "x"));
        assertEquals("Ready in 2.31 s (x)", Lifecycle.readyStatus(Duration.ofMillis(2314), "x"));
        assertEquals("Ready in 10.00 s (x)", Lifecycle.readyStatus(Duration.ofMillis(9999), "x"));
        assertEquals("Ready in 125.40 s (x)", Lifecycle.readyStatus(Duration.ofMillis(125_400), "x"));
    }

    @Test
    void onceWarmReadyIsSentOnTheHookThreadAndAQueuedStatusNeverOverwritesIt() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            Lifecycle lifecycle = lifecycle(recorder, "ready=" + SERVER, null);
            assertTrue(recorder.notifier.sendNow("X_WARM=1"));
            assertEquals("X_WARM=1", recorder.next());
            java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
            recorder.executor.execute(() -> {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            lifecycle.started(); // queued behind the held agent thread
            lifecycle.hookFailed(SERVER, new IllegalStateException("first try")); // queued too
            lifecycle.hookReturned(SERVER);
            assertEquals("READY=1\nSTATUS=Ready in 2.31 s (org.eclipse.jetty.server.Server#start)", recorder.sent.poll(),
                    "sent before hookReturned returned, on this thread");
            hold.countDown();
            assertTrue(recorder.rest(Duration.ofMillis(100)).isEmpty(), "the queued Starting/failed STATUS must be dropped");
        }
    }

    @Test
    void allWaitsForEveryHook() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            Lifecycle lifecycle = lifecycle(recorder, "ready=" + SERVER + "+" + BIND, null);
            lifecycle.hookReturned(BIND);
            assertTrue(recorder.rest(Duration.ofMillis(100)).isEmpty());
            assertFalse(lifecycle.isReady());
            lifecycle.hookReturned(SERVER);
            assertEquals("READY=1\nSTATUS=Ready in 2.31 s (org.eclipse.jetty.server.Server#start, io.netty.bootstrap.AbstractBootstrap#bind)",
                    recorder.next());
        }
    }

    @Test
    void anyIsReadyOnTheFirstHook() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            Lifecycle lifecycle = lifecycle(recorder, "ready=" + SERVER + "+" + BIND + ",ready-when=any", null);
            lifecycle.hookReturned(BIND);
            assertEquals("READY=1\nSTATUS=Ready in 2.31 s (io.netty.bootstrap.AbstractBootstrap#bind)", recorder.next());
            lifecycle.hookReturned(SERVER);
            assertTrue(recorder.rest(Duration.ofMillis(100)).isEmpty());
        }
    }

    @Test
    void readyStartMeansReadyAtStart() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            lifecycle(recorder, "ready=start", null).started();
            assertEquals("READY=1\nSTATUS=Ready in 2.31 s (ready=start)", recorder.next());
        }
    }

    @Test
    void failureIsOneLineWithoutReadyAndNoKeyInjection() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            Lifecycle lifecycle = lifecycle(recorder, "ready=" + SERVER, null);
            lifecycle.hookFailed(SERVER, new java.net.BindException("Address already in use\nREADY=1"));
            assertEquals("STATUS=Startup failed: java.net.BindException: Address already in use READY=1", recorder.next());
            assertFalse(lifecycle.isReady());
            assertTrue(recorder.log().contains("sd-agent: org.eclipse.jetty.server.Server#start failed: java.net.BindException"), recorder.log());
        }
    }

    @Test
    void stoppingAfterAFailedStartKeepsTheReason() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            Lifecycle lifecycle = lifecycle(recorder, "ready=" + SERVER, null);
            lifecycle.hookFailed(SERVER, new java.io.IOException("Failed to bind to /127.0.0.1:8080"));
            lifecycle.stopping("JVM shutdown");
            assertEquals("STATUS=Startup failed: java.io.IOException: Failed to bind to /127.0.0.1:8080", recorder.next());
            assertEquals("STOPPING=1\nSTATUS=Stopping after failed startup: java.io.IOException: Failed to bind to /127.0.0.1:8080",
                    recorder.next());
        }
    }

    @Test
    void mainPidGoesWithStatusAndReady() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            Lifecycle lifecycle = lifecycle(recorder, "ready=" + SERVER, 4242L);
            lifecycle.started();
            assertEquals("STATUS=Starting (waiting for org.eclipse.jetty.server.Server#start)\nMAINPID=4242", recorder.next());
            lifecycle.hookReturned(SERVER);
            assertEquals("READY=1\nSTATUS=Ready in 2.31 s (org.eclipse.jetty.server.Server#start)\nMAINPID=4242", recorder.next());
        }
    }

    @Test
    void stoppingBeforeReadyKeepsWhatItWaitedFor() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            Lifecycle lifecycle = lifecycle(recorder, "ready=" + SERVER, null);
            lifecycle.started();
            assertEquals("STATUS=Starting (waiting for " + SERVER + ")", recorder.next());
            lifecycle.stopping("SIGTERM");
            assertEquals("STOPPING=1\nSTATUS=Stopping (SIGTERM) before READY; Starting (waiting for " + SERVER + ")",
                    recorder.next());
        }
    }

    @Test
    void stoppingOnceAndNoReadyAfterIt() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            Lifecycle lifecycle = lifecycle(recorder, "ready=" + SERVER, null);
            lifecycle.stopping("SIGTERM");
            lifecycle.stopping("JVM shutdown");
            assertEquals("STOPPING=1\nSTATUS=Stopping (SIGTERM)", recorder.next());
            lifecycle.hookReturned(SERVER);
            lifecycle.hookFailed(SERVER, new IllegalStateException("late"));
            assertTrue(recorder.rest(Duration.ofMillis(100)).isEmpty());
        }
    }

    /** Issue 15: a hook problem means READY=1 may never come, so `systemctl status` must show it, not only stderr. */
    @Test
    void hookProblemsAreLoggedAndShownInStatusUntilReady() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            Lifecycle lifecycle = lifecycle(recorder, "ready=" + SERVER, null);
            lifecycle.problem("ready hook a.B#run: run is overloaded\nin a.B");
            assertTrue(recorder.log().contains("sd-agent: ready hook a.B#run: run is overloaded in a.B"), recorder.log());
            assertEquals("STATUS=Startup problem: ready hook a.B#run: run is overloaded in a.B", recorder.next());
            lifecycle.hookReturned(SERVER);
            assertTrue(recorder.next().startsWith("READY=1\nSTATUS=Ready in "));
            lifecycle.problem("ready hook a.B#run: late");
            assertTrue(recorder.rest(Duration.ofMillis(100)).isEmpty(), "a problem after READY=1 must not overwrite it");
        }
    }

    @Test
    void childEnvironmentProblemsAreOnlyLogged() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            lifecycle(recorder, "ready=" + SERVER, null).problems().accept("cannot scrub the child environment");
            assertTrue(recorder.log().contains("sd-agent: cannot scrub the child environment"), recorder.log());
            assertTrue(recorder.rest(Duration.ofMillis(100)).isEmpty());
        }
    }

    @Test
    void sendFailuresAreReportedOncePerReason() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            recorder.failure = new java.io.IOException("Connection refused");
            for (int i = 0; i < 3; i++) {
                assertFalse(recorder.notifier.sendNow("WATCHDOG=1"));
            }
            assertEquals(1, recorder.log().split("could not send WATCHDOG=1 to systemd: java.io.IOException: Connection refused", -1).length - 1,
                    recorder.log());
        }
    }
}
