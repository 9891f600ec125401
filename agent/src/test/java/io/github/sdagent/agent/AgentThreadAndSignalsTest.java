package io.github.sdagent.agent;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures on the agent's own thread are said (issue 16, finding 3); the SIGTERM chain has no gap (finding 6). */
class AgentThreadAndSignalsTest {

    @Test
    void anErrorInAnAgentTaskIsSaidNotSwallowed() throws Exception {
        try (RecordingSender recorder = new RecordingSender()) {
            recorder.executor.execute(() -> {
                throw new UnsatisfiedLinkError("Unable to load library 'jnidispatch'");
            });
            recorder.executor.scheduleAtFixedRate(() -> {
                throw new OutOfMemoryError("Java heap space");
            }, 0, 10, TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!recorder.log().contains("OutOfMemoryError") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            String log = recorder.log();
            assertTrue(log.contains("sd-agent: internal error on the agent's thread, that task is lost (the application "
                    + "is not affected): java.lang.UnsatisfiedLinkError: Unable to load library 'jnidispatch'"), log);
            assertTrue(log.contains("java.lang.OutOfMemoryError: Java heap space"), log);
            recorder.executor.submit(() -> { }).get(10, TimeUnit.SECONDS); // the thread survives its tasks' failures
        }
    }

    /** The JVM's handler, as the chain sees it. */
    interface Handler {
        void handle(Object signal);
    }

    @Test
    void aSignalArrivingBeforeThePreviousHandlerIsKnownStillReachesIt() throws Exception {
        Method handle = Handler.class.getMethod("handle", Object.class);
        List<String> calls = new CopyOnWriteArrayList<>();
        Handler jvms = signal -> calls.add("JVM handler: " + signal);
        ShutdownNotice.Chained chained = new ShutdownNotice.Chained("TERM", 15, () -> calls.add("STOPPING"),
                handle, new Object(), new Object());
        // the signal lands between installing our handler and learning which handler it replaced
        CompletableFuture<Object> handled = CompletableFuture.supplyAsync(() -> {
            try {
                return chained.invoke(null, handle, new Object[] {"SIGTERM"});
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(100);
        assertFalse(handled.isDone(), "must wait for the previous handler, not fail: " + calls);
        chained.previous(jvms);
        assertEquals(null, handled.get(10, TimeUnit.SECONDS));
        assertEquals(List.of("STOPPING", "JVM handler: SIGTERM"), calls);
    }

    @Test
    void aFailingNoticeNeverKeepsTheJvmsHandlerFromRunning() throws Throwable {
        Method handle = Handler.class.getMethod("handle", Object.class);
        List<String> calls = new CopyOnWriteArrayList<>();
        ShutdownNotice.Chained chained = new ShutdownNotice.Chained("TERM", 15, () -> {
            throw new IllegalStateException("Shutdown in progress");
        }, handle, new Object(), new Object());
        chained.previous((Handler) signal -> calls.add("JVM handler"));
        chained.invoke(null, handle, new Object[] {"SIGTERM"});
        assertEquals(List.of("JVM handler"), calls);
    }
}
