package io.github.sdagent.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded closed-loop HTTP load generator for 127.0.0.1 only: a fixed number of keep-alive
 * connections, each sending the next GET when the previous response is in, for a fixed time.
 */
final class LoadGenerator {
    private LoadGenerator() {
    }

    /** Requests per second over {@code measureMillis}, after {@code warmupMillis} of the same load. */
    static double run(int port, int connections, long warmupMillis, long measureMillis)
            throws InterruptedException {
        return run(port, connections, warmupMillis, measureMillis, false);
    }

    /**
     * As {@link #run(int, int, long, long)}; {@code connectionPerRequest}: each request on a new connection (every
     * request then goes through the server's listening socket: accept), closed with a reset (SO_LINGER 0) so that
     * the client's ports do not pile up in TIME_WAIT.
     */
    static double run(int port, int connections, long warmupMillis, long measureMillis, boolean connectionPerRequest)
            throws InterruptedException {
        if (connectionPerRequest) {
            return connectionPerRequest(port, connections, warmupMillis, measureMillis);
        }
        long start = System.nanoTime();
        long measureFrom = start + warmupMillis * 1_000_000L;
        long end = measureFrom + measureMillis * 1_000_000L;
        AtomicLong counted = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Thread thread = new Thread(() -> {
                byte[] request = HttpProbe.request(port, true);
                try (Socket socket = new Socket()) {
                    socket.setTcpNoDelay(true);
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                    socket.setSoTimeout(5000);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream());
                    long now;
                    while ((now = System.nanoTime()) < end) {
                        HttpProbe.write(out, request);
                        if (HttpProbe.readResponse(in) != 200) {
                            errors.incrementAndGet();
                        } else if (now >= measureFrom) {
                            counted.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                }
            }, "load-" + i);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (errors.get() > 0) {
            throw new IllegalStateException(errors.get() + " failed requests/connections under load");
        }
        return counted.get() * 1000.0 / measureMillis;
    }

    private static double connectionPerRequest(int port, int connections, long warmupMillis, long measureMillis)
            throws InterruptedException {
        long start = System.nanoTime();
        long measureFrom = start + warmupMillis * 1_000_000L;
        long end = measureFrom + measureMillis * 1_000_000L;
        AtomicLong counted = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Thread thread = new Thread(() -> {
                byte[] request = HttpProbe.request(port, false);
                long now;
                while ((now = System.nanoTime()) < end) {
                    try (Socket socket = new Socket()) {
                        socket.setTcpNoDelay(true);
                        socket.setSoLinger(true, 0);
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                        socket.setSoTimeout(5000);
                        HttpProbe.write(socket.getOutputStream(), request);
                        if (HttpProbe.readResponse(new BufferedInputStream(socket.getInputStream())) != 200) {
                            errors.incrementAndGet();
                        } else if (now >= measureFrom) {
                            counted.incrementAndGet();
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    }
                }
            }, "load-" + i);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (errors.get() > 0) {
            throw new IllegalStateException(errors.get() + " failed requests/connections under load");
        }
        return counted.get() * 1000.0 / measureMillis;
    }
}
