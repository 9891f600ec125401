package io.github.sdagent.agent.lifecycle;

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

/** The SIGTERM chain has no gap (issue 16, finding 6). */
class SignalNoticeTest {

    @Test
    void aSignalArrivingBeforeThePreviousHandlerIsKnownStillReachesIt() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        SignalHandler jvms = signal -> calls.add("JVM handler: SIG" + signal.getName());
        SignalNotice.Chained chained = new SignalNotice.Chained("TERM", 15, () -> calls.add("STOPPING"));
        // the signal lands between installing our handler and learning which handler it replaced
        CompletableFuture<Void> handled = CompletableFuture.runAsync(() -> chained.handle(new Signal("TERM")));
        Thread.sleep(100);
        assertFalse(handled.isDone(), "must wait for the previous handler, not fail: " + calls);
        chained.previous(jvms);
        handled.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("STOPPING", "JVM handler: SIGTERM"), calls);
    }

    @Test
    void aFailingNoticeNeverKeepsTheJvmsHandlerFromRunning() {
        List<String> calls = new CopyOnWriteArrayList<>();
        SignalNotice.Chained chained = new SignalNotice.Chained("TERM", 15, () -> {
            throw new IllegalStateException("Shutdown in progress");
        });
        chained.previous(signal -> calls.add("JVM handler"));
        chained.handle(new Signal("TERM"));
        assertEquals(List.of("JVM handler"), calls);
    }

    /** The real thing, as the agent installs it: a SIGINT to this JVM runs the notice, then the handler before it. */
    @Test
    void theNoticeRunsFirstAndThenTheHandlerItReplaced() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        Signal interrupt = new Signal("INT");
        SignalHandler original = Signal.handle(interrupt, signal -> calls.add("previous handler"));
        try {
            SignalNotice.install("INT", () -> calls.add("STOPPING"));
            Signal.raise(interrupt);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (calls.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(List.of("STOPPING", "previous handler"), calls);
        } finally {
            Signal.handle(interrupt, original);
        }
    }
}
