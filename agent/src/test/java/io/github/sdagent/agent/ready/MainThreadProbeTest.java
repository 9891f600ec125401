package io.github.sdagent.agent.ready;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sdagent.agent.ready.ServingEvidence.MainThread;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Real threads in the states a main thread is in: starting (running, sleeping) or settled (joined, accepting, ended). */
class MainThreadProbeTest {

    private static MainThread await(MainThreadProbe probe, MainThread wanted) throws InterruptedException {
        MainThread seen = probe.sample();
        for (int i = 0; i < 400 && seen != wanted; i++) {
            Thread.sleep(25);
            seen = probe.sample();
        }
        return seen;
    }

    @Test
    void sleepingAndComputingAreStillStartingJoiningAcceptingAndEndedAreSettled() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread sleeper = started(() -> sleepQuietly(60_000));
        assertEquals(MainThread.RUNNING, await(new MainThreadProbe(sleeper, MainThreadProbe.FALLBACK_SLEEP_SETTLE_NANOS), MainThread.RUNNING), "a sleep is a start delay");
        sleeper.interrupt();

        Thread joiner = started(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertEquals(MainThread.SETTLED, await(new MainThreadProbe(joiner, MainThreadProbe.FALLBACK_SLEEP_SETTLE_NANOS), MainThread.SETTLED), "awaiting for good");

        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptor = started(() -> {
                try {
                    server.accept();
                } catch (Exception closed) {
                    // closed by the test
                }
            });
            assertEquals(MainThread.SETTLED, await(new MainThreadProbe(acceptor, MainThreadProbe.FALLBACK_SLEEP_SETTLE_NANOS), MainThread.SETTLED), "an accept loop");
        }

        Thread busy = started(() -> {
            long end = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < end && release.getCount() > 0) {
                Math.sqrt(System.nanoTime());
            }
        });
        MainThreadProbe busyProbe = new MainThreadProbe(busy, MainThreadProbe.FALLBACK_SLEEP_SETTLE_NANOS);
        assertEquals(MainThread.RUNNING, busyProbe.sample(), "computing");
        release.countDown();
        busy.join();
        joiner.join();
        assertEquals(MainThread.SETTLED, busyProbe.sample(), "ended");
    }

    @Test
    void aMainThreadThatKeepsSleepingSettlesAfterThePatienceAndOneInASelectorAtOnce() throws Exception {
        Thread sleeper = started(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                sleepQuietly(50); // a sleep loop until shutdown, like Tomcat's Server#await without a shutdown port
            }
        });
        MainThreadProbe patient = new MainThreadProbe(sleeper, 300_000_000L);
        long begun = System.nanoTime();
        assertEquals(MainThread.SETTLED, await(patient, MainThread.SETTLED), "a sleep loop settles");
        long waitedMillis = (System.nanoTime() - begun) / 1_000_000;
        assertTrue(waitedMillis >= 250, "settled only after the patience: " + waitedMillis + " ms");
        sleeper.interrupt();

        try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            Thread looper = started(() -> {
                try {
                    selector.select();
                } catch (Exception closed) {
                    // closed by the test
                }
            });
            assertEquals(MainThread.SETTLED, await(new MainThreadProbe(looper, Long.MAX_VALUE), MainThread.SETTLED),
                    "an event loop on the main thread");
        }
    }

    private static Thread started(Runnable body) {
        Thread thread = new Thread(body, "probe-subject");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
