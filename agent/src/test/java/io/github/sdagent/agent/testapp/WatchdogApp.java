package io.github.sdagent.agent.testapp;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * An application with no sd-agent code for the watchdog tests; the agent hooks {@link #ready()}. Modes (first
 * argument): {@code deadlock}, {@code load SECONDS}, {@code starved-pings SECONDS}, {@code gc-thrash},
 * {@code health STATE_FILE PORT} (the health method and /health answer what the file says: ok, false, throw or hang),
 * {@code slow-start SECONDS}, {@code hung-start}, {@code slow-stop SECONDS|forever}.
 */
public final class WatchdogApp {

    static volatile Path stateFile;
    private static volatile boolean calledBefore;

    private WatchdogApp() {
    }

    /** The ready hook. */
    public static void ready() {
        System.out.println("ready at " + System.currentTimeMillis());
    }

    /** {@code health=io.github.sdagent.agent.testapp.WatchdogApp#isHealthy}. */
    public static boolean isHealthy() throws Exception {
        if (!calledBefore) {
            calledBefore = true;
            System.out.println("isHealthy called on " + Thread.currentThread().getName());
        }
        String state = state();
        switch (state) {
            case "false": return false;
            case "throw": throw new IllegalStateException("database connection pool exhausted");
            case "hang": Thread.sleep(Long.MAX_VALUE); return true;
            default: return true;
        }
    }

    private static String state() throws IOException {
        return new String(Files.readAllBytes(stateFile), StandardCharsets.UTF_8).trim();
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "deadlock": deadlock(); break;
            case "load": load(Integer.parseInt(args[1]), false); break;
            case "starved-pings": load(Integer.parseInt(args[1]), true); break;
            case "gc-thrash": gcThrash(); break;
            case "health": health(Paths.get(args[1]), Integer.parseInt(args[2])); break;
            case "slow-start": slowStart(Integer.parseInt(args[1])); break;
            case "hung-start": Thread.sleep(Long.MAX_VALUE); break;
            case "slow-stop": slowStop(args[1]); break;
            default: throw new IllegalArgumentException(args[0]);
        }
    }

    private static void deadlock() throws InterruptedException {
        ready();
        Thread.sleep(1500);
        Object first = new Object();
        Object second = new Object();
        CountDownLatch both = new CountDownLatch(2);
        new Thread(() -> lockBoth(first, second, both), "worker-1").start();
        new Thread(() -> lockBoth(second, first, both), "worker-2").start();
        both.await();
        System.out.println("deadlocked at " + System.currentTimeMillis());
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void lockBoth(Object a, Object b, CountDownLatch both) {
        synchronized (a) {
            both.countDown();
            try {
                both.await();
            } catch (InterruptedException e) {
                return;
            }
            synchronized (b) {
                System.out.println("never");
            }
        }
    }

    /**
     * Every core busy, allocation-heavy (many young GCs a second). With {@code starvedPings} the application pings
     * systemd itself, from a task queued on its own saturated pool, as a timer that shares the application's
     * threads would: those pings starve (the agent runs with watchdog=off then).
     */
    private static void load(int seconds, boolean starvedPings) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors() * 2;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long begin = System.nanoTime();
        long end = begin + TimeUnit.SECONDS.toNanos(seconds);
        long gcBefore = gcCount();
        for (int i = 0; i < threads; i++) {
            pool.execute(() -> churn(end));
        }
        ready();
        System.out.println("load: " + threads + " threads churning for " + seconds + " s");
        while (System.nanoTime() < end || starvedPings) {
            if (starvedPings) {
                pool.execute(WatchdogApp::ping); // runs only when a pool thread is free
            }
            Thread.sleep(500);
            if (System.nanoTime() >= end && seconds > 0 && gcBefore >= 0) {
                long gcs = gcCount() - gcBefore;
                System.out.println("load done: " + gcs + " GCs in " + seconds + " s");
                gcBefore = -1;
            }
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private static long gcCount() {
        long count = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    /** Needs sd-agent-core and JNA on the class path (the test adds them for this mode). */
    private static void ping() {
        try {
            io.github.sdagent.core.Daemon.notify(false, "WATCHDOG=1");
        } catch (Exception e) {
            System.out.println("ping failed: " + e);
        }
    }

    static volatile Object sink;

    private static void churn(long end) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<byte[]> recent = new ArrayList<>();
        while (System.nanoTime() < end) {
            recent.add(new byte[1024 + random.nextInt(16 * 1024)]);
            if (recent.size() > 256) {
                recent.clear();
            }
            sink = recent;
        }
    }

    /** A live set near the maximum heap, and more garbage all the time: G1 collects without pause. */
    private static void gcThrash() throws Exception {
        ready();
        long max = Runtime.getRuntime().maxMemory();
        List<byte[]> live = new ArrayList<>();
        long held = 0;
        while (held < max * 85 / 100) {
            live.add(new byte[64 * 1024]);
            held += 64 * 1024;
        }
        System.out.println("holding " + (held >> 20) + " of " + (max >> 20) + " MB");
        Thread churner = new Thread(() -> {
            int i = 0;
            while (true) {
                try {
                    live.set(i++ % live.size(), new byte[64 * 1024]);
                    sink = new byte[32 * 1024];
                } catch (OutOfMemoryError e) {
                    sink = null;
                }
            }
        }, "churner");
        churner.start();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void health(Path file, int port) throws Exception {
        stateFile = file;
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/health", exchange -> {
            String state = state();
            if (state.equals("hang")) {
                return; // never answers
            }
            byte[] body = state.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(state.equals("ok") ? 200 : 503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        System.out.println("health on port " + server.getAddress().getPort());
        ready();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Visible progress (a thread started every 300 ms) for SECONDS, then ready. */
    private static void slowStart(int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int step = 0;
        while (System.nanoTime() < end) {
            Thread worker = new Thread(() -> sink = new byte[1024], "init-step-" + step++);
            worker.start();
            worker.join();
            Thread.sleep(300);
        }
        ready();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** A shutdown hook "flush-queue" that takes SECONDS, or never ends ("forever"). */
    private static void slowStop(String seconds) throws Exception {
        long millis = seconds.equals("forever") ? Long.MAX_VALUE : TimeUnit.SECONDS.toMillis(Long.parseLong(seconds));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("flush-queue started");
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            System.out.println("flush-queue done");
        }, "flush-queue"));
        ready();
        Thread.sleep(Long.MAX_VALUE);
    }
}
