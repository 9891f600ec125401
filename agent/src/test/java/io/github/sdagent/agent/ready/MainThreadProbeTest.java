package io.github.sdagent.agent.ready;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals(MainThread.RUNNING, await(new MainThreadProbe(sleeper), MainThread.RUNNING), "a sleep is a start delay");
        sleeper.interrupt();

        Thread joiner = started(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertEquals(MainThread.SETTLED, await(new MainThreadProbe(joiner), MainThread.SETTLED), "awaiting for good");

        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptor = started(() -> {
                try {
                    server.accept();
                } catch (Exception closed) {
                    // closed by the test
                }
            });
            assertEquals(MainThread.SETTLED, await(new MainThreadProbe(acceptor), MainThread.SETTLED), "an accept loop");
        }

        Thread busy = started(() -> {
            long end = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < end && release.getCount() > 0) {
                Math.sqrt(System.nanoTime());
            }
        });
        MainThreadProbe busyProbe = new MainThreadProbe(busy);
        assertEquals(MainThread.RUNNING, busyProbe.sample(), "computing");
        release.countDown();
        busy.join();
        joiner.join();
        assertEquals(MainThread.SETTLED, busyProbe.sample(), "ended");
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
