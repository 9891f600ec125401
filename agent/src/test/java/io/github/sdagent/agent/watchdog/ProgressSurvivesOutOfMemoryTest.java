package io.github.sdagent.agent.watchdog;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status line and the start-up progress check outlive an OutOfMemoryError the application caused on the agent's
 * thread (issue 15): that round is skipped and said once, the next one runs.
 */
class ProgressSurvivesOutOfMemoryTest {

    /** Ready, not stopping; the first {@code failing} questions run out of memory. */
    static final class StarvedState implements ServiceState {
        final AtomicInteger asked = new AtomicInteger();
        final int failing;
        final boolean ready;

        StarvedState(int failing, boolean ready) {
            this.failing = failing;
            this.ready = ready;
        }

        @Override
        public boolean isReady() {
            if (asked.incrementAndGet() <= failing) {
                throw new OutOfMemoryError("Java heap space");
            }
            return ready;
        }

        @Override
        public boolean isStopping() {
            return false;
        }
    }

    @Test
    void theStatusLineGoesOnAfterAnOutOfMemoryError() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            StarvedState state = new StarvedState(2, true);
            StatusLine line = new StatusLine(recorder, state, null, recorder.log);
            line.start(recorder.executor, Duration.ofMillis(20).toNanos());
            assertTrue(recorder.next().startsWith("STATUS=Ready"), "a later round still sends the line");
            String log = recorder.log();
            assertEquals(1, log.split("skipped a round", -1).length - 1, "said once: " + log);
            assertTrue(log.contains("status-interval line skipped a round: java.lang.OutOfMemoryError: Java heap space"), log);
        }
    }

    @Test
    void theStartProgressCheckGoesOnAfterAnOutOfMemoryError() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            StarvedState state = new StarvedState(2, false);
            StartProgress progress = new StartProgress(recorder, state, Duration.ofSeconds(10), null, recorder.log);
            progress.start(recorder.executor);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (state.asked.get() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(state.asked.get() >= 4, "the check kept running: asked " + state.asked.get() + " times; " + recorder.log());
            assertTrue(recorder.log().contains("start-up progress check skipped a round: java.lang.OutOfMemoryError"), recorder.log());
        }
    }
}
