package io.github.sdagent.agent;

import io.github.sdagent.agent.lifecycle.RecordingSender;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures on the agent's own thread are said (issue 16, finding 3). */
class AgentThreadTest {

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
}
