package io.github.sdagent.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded HTTP load generator on loopback: a few threads, each sending {@code GET /} on a new connection, one after
 * another, until stopped or {@code maxRequests} are sent. Each failure is counted as refused (ECONNREFUSED: nothing
 * listens), timed out (no connection or no answer within the timeout) or dropped (connection reset or closed
 * without a complete 200 answer).
 */
final class LoopbackLoad implements AutoCloseable {

    final AtomicLong sent = new AtomicLong();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong timedOut = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final int port;
    private final int timeoutMillis;
    private final long maxRequests;
    private final String expectedBody;
    volatile String lastFailure = "";

    LoopbackLoad(int port, int threadCount, int timeoutMillis, long maxRequests, String expectedBody) {
        this.port = port;
        this.timeoutMillis = timeoutMillis;
        this.maxRequests = maxRequests;
        this.expectedBody = expectedBody;
        for (int i = 0; i < threadCount; i++) {
            Thread thread = new Thread(this::loop, "loopback-load-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void loop() {
        while (running.get()) {
            if (sent.incrementAndGet() > maxRequests) {
                sent.decrementAndGet(); // the bound is reached: this one is not sent
                return;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
                socket.setSoTimeout(timeoutMillis);
                OutputStream out = socket.getOutputStream();
                out.write(("GET / HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (response.startsWith("HTTP/1.") && response.contains(" 200 ") && response.contains(expectedBody)) {
                    ok.incrementAndGet();
                } else {
                    dropped.incrementAndGet();
                    lastFailure = "incomplete answer: " + response.length() + " chars";
                }
            } catch (ConnectException e) {
                refused.incrementAndGet();
                lastFailure = e.toString();
                pause();
            } catch (SocketTimeoutException e) {
                timedOut.incrementAndGet();
                lastFailure = e.toString();
            } catch (IOException e) {
                dropped.incrementAndGet();
                lastFailure = e.toString();
            }
        }
    }

    /** After a refusal, do not spin: a refused connect returns at once. */
    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long failed() {
        return refused.get() + timedOut.get() + dropped.get();
    }

    String report() {
        return "sent " + sent.get() + ", ok " + ok.get() + ", failed " + failed() + " (refused " + refused.get()
                + ", timed out " + timedOut.get() + ", dropped " + dropped.get() + ")"
                + (failed() > 0 ? "; last failure: " + lastFailure : "");
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(timeoutMillis + 10_000L);
        }
    }
}
