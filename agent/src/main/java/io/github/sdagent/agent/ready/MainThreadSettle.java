package io.github.sdagent.agent.ready;

import io.github.sdagent.agent.ready.ServingEvidence.MainThread;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * When the last preset call has returned, waits until the main thread has settled before auto claims READY, so that
 * a server the main thread starts next is part of "everything it started": its preset call begins meanwhile and
 * READY waits for it too (a search engine whose Netty transport binds seconds before its HTTP port, while the main
 * thread forms the cluster in between; two servers started one after the other by a plain main). Usually the wait is
 * one sample: a server's main thread joins, awaits, or ends right after its start returns. Bounded: a main thread
 * that keeps running (or sleeping, for less than {@link #SLEEP_SETTLE_NANOS}) does not hold READY back for more than
 * {@link #MAX_WAIT_NANOS} after the last preset returned.
 */
final class MainThreadSettle implements AutoReadiness.Settle {

    /** How often the main thread is sampled meanwhile, on the agent's thread. */
    static final long POLL_MILLIS = 10;
    /** A main thread sleeping this long without a break sleeps until shutdown (Tomcat's await without a port). */
    static final long SLEEP_SETTLE_NANOS = 500_000_000L;
    /**
     * The bound on the wait: the presets' servers already serve; only a later one would be missed. Long enough for a
     * start-up step between two servers (cluster formation), short against TimeoutStartSec's default of 90 s.
     */
    static final long MAX_WAIT_NANOS = 10_000_000_000L;

    private final ScheduledExecutorService agentThread;
    private final MainThreadProbe mainThread;

    MainThreadSettle(ScheduledExecutorService agentThread, MainThreadProbe mainThread) {
        this.agentThread = agentThread;
        this.mainThread = mainThread.withSleepSettle(SLEEP_SETTLE_NANOS);
    }

    @Override
    public void whenSettled(Runnable claim) {
        // On another thread than main (a Netty event loop completing a bind future) with main already blocked: at
        // once, on the calling thread, as without this wait. On main itself it cannot be blocked yet: sample later.
        if (!mainThread.isMain(Thread.currentThread()) && sample() == MainThread.SETTLED) {
            claim.run();
            return;
        }
        Poll poll = new Poll(claim, System.nanoTime());
        poll.future = agentThread.scheduleWithFixedDelay(poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private MainThread sample() {
        synchronized (mainThread) { // the probe keeps the start of a sleep: one sampler at a time
            return mainThread.sample();
        }
    }

    /** A class, not a lambda: nothing spun at run time on the start path (see AgentMain). */
    private final class Poll implements Runnable {
        private final Runnable claim;
        private final long since;
        volatile ScheduledFuture<?> future;

        Poll(Runnable claim, long since) {
            this.claim = claim;
            this.since = since;
        }

        @Override
        public void run() {
            if (sample() == MainThread.SETTLED || System.nanoTime() - since >= MAX_WAIT_NANOS) {
                ScheduledFuture<?> self = future;
                if (self != null) {
                    self.cancel(false);
                }
                claim.run(); // a claim overtaken by a newer preset call does nothing
            }
        }
    }
}
