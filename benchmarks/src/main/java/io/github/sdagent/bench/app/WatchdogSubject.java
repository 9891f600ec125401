package io.github.sdagent.bench.app;

import com.sun.net.httpserver.HttpServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * The watchdog benchmark's service (no sd-agent code): {@code THREADS} application threads in the states a server's
 * threads spend most of their time in, an HTTP {@code /health} endpoint on {@code PORT} and a static health method,
 * both healthy until told otherwise. Arguments: {@code PORT THREADS}. Commands on stdin, one per line:
 * {@code fail} (the method returns false, /health answers 503), {@code ok}, {@code deadlock} (two new threads lock
 * each other out). Each command prints {@code <COMMAND>_NANOS=} with {@link System#nanoTime()} once it took effect.
 * The operator's hooks: {@code ready=io.github.sdagent.bench.app.WatchdogSubject#ready},
 * {@code health=io.github.sdagent.bench.app.WatchdogSubject#isHealthy}.
 */
public final class WatchdogSubject {
    private static volatile boolean healthy = true;
    private static final Object IDLE = new Object();

    private WatchdogSubject() {
    }

    public static void ready() {
        System.out.println("READY_NANOS=" + System.nanoTime());
    }

    public static boolean isHealthy() {
        return healthy;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int threads = Integer.parseInt(args[1]);
        startIdleThreads(threads);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/health", exchange -> {
            byte[] body = (healthy ? "UP\n" : "DOWN\n").getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(healthy ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        ready();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String command; (command = commands.readLine()) != null; ) {
            switch (command.trim()) {
                case "fail" -> healthy = false;
                case "ok" -> healthy = true;
                case "deadlock" -> deadlock();
                default -> {
                    System.out.println("unknown command " + command);
                    continue;
                }
            }
            System.out.println(command.trim().toUpperCase() + "_NANOS=" + System.nanoTime());
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    /**
     * Three fifths idle pool workers (parked on their queue's ReentrantLock condition, an ownable synchronizer), one
     * fifth waiting on a monitor, one fifth sleeping: what a deadlock search walks through in a typical server.
     */
    private static void startIdleThreads(int count) {
        int pooled = count * 3 / 5;
        ExecutorService pool = Executors.newFixedThreadPool(pooled);
        ((ThreadPoolExecutor) pool).prestartAllCoreThreads();
        for (int i = pooled; i < count; i++) {
            boolean waits = i % 2 == 0;
            Thread thread = new Thread(() -> {
                try {
                    if (waits) {
                        synchronized (IDLE) {
                            IDLE.wait();
                        }
                    } else {
                        Thread.sleep(Long.MAX_VALUE);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, (waits ? "waiter-" : "sleeper-") + i);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Returns once both threads hold their first lock and are about to ask for the other's. */
    private static void deadlock() throws InterruptedException {
        Object first = new Object();
        Object second = new Object();
        CountDownLatch both = new CountDownLatch(2);
        new Thread(() -> lockBoth(first, second, both), "worker-1").start();
        new Thread(() -> lockBoth(second, first, both), "worker-2").start();
        both.await();
    }

    private static void lockBoth(Object mine, Object theirs, CountDownLatch both) {
        synchronized (mine) {
            both.countDown();
            try {
                both.await();
            } catch (InterruptedException e) {
                return;
            }
            synchronized (theirs) {
                System.out.println("never");
            }
        }
    }
}
