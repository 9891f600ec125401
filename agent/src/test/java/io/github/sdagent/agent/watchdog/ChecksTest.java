package io.github.sdagent.agent.watchdog;

import com.sun.net.httpserver.HttpServer;
import io.github.sdagent.agent.config.AgentConfig;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChecksTest {

    /** Application methods for MethodCheck. */
    public static final class App {
        static volatile boolean healthy = true;
        static final CountDownLatch HANG = new CountDownLatch(1);

        public static boolean isHealthy() {
            return healthy;
        }

        public static void throwing() {
            throw new IllegalStateException("pool exhausted");
        }

        public static boolean hanging() throws InterruptedException {
            HANG.await();
            return true;
        }

        public boolean notStatic() {
            return true;
        }
    }

    /** Leaves two deadlocked daemon threads in this test JVM (a deadlock cannot be undone); no other test looks. */
    @Test
    void deadlockOnMonitorsAndLocksIsNamed() throws Exception {
        Object monitor = new Object();
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch both = new CountDownLatch(2);
        Thread first = new Thread(() -> {
            synchronized (monitor) {
                both.countDown();
                awaitQuietly(both);
                lock.lock();
            }
        }, "worker-1");
        Thread second = new Thread(() -> {
            lock.lock();
            both.countDown();
            awaitQuietly(both);
            synchronized (monitor) {
                lock.unlock();
            }
        }, "worker-2");
        first.setDaemon(true);
        second.setDaemon(true);
        DeadlockCheck check = new DeadlockCheck();
        assertNull(check.problem());
        first.start();
        second.start();
        String problem = null;
        for (int i = 0; i < 100 && problem == null; i++) {
            Thread.sleep(50);
            problem = check.problem();
        }
        assertTrue(problem != null && problem.startsWith("deadlock between \"worker-"), String.valueOf(problem));
        assertTrue(problem.contains("\"worker-1\" waits for java.util.concurrent.locks.ReentrantLock") || problem.contains(
                "\"worker-2\" waits for java.lang.Object@"), problem);
        assertTrue(problem.contains("held by \"worker-2\"") && problem.contains("held by \"worker-1\""), problem);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void gcOverheadIsJudgedOverAWholeWindowOnly() {
        GcOverheadCheck check = new GcOverheadCheck(50, TimeUnit.SECONDS.toNanos(30), "30s", 0);
        long second = TimeUnit.SECONDS.toNanos(1);
        assertNull(check.overhead(0, 0));
        for (int s = 1; s < 30; s++) {
            assertNull(check.overhead(s * second, s * 900L), "not a whole window yet at " + s + " s");
        }
        assertEquals("GC took 90 % of the last 30s (gc-overhead=50%)", check.overhead(30 * second, 27_000));
        // the window slides: 30 s later at 10 %, healthy again
        String last = "";
        for (int s = 31; s <= 61; s++) {
            last = check.overhead(s * second, 27_000 + (s - 30) * 100L);
        }
        assertNull(last);
    }

    @Test
    void probeGateWaitsForReadyAndGraceAndCountsFailuresInARow() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            AtomicReference<String> answer = new AtomicReference<>("down");
            AtomicInteger asked = new AtomicInteger();
            boolean[] ready = {false};
            ServiceState state = new ServiceState() {
                @Override
                public boolean isReady() {
                    return ready[0];
                }

                @Override
                public boolean isStopping() {
                    return false;
                }
            };
            ProbeGate gate = new ProbeGate(() -> {
                asked.incrementAndGet();
                return answer.get();
            }, state, TimeUnit.MILLISECONDS.toNanos(300), 3, recorder.log);
            assertNull(gate.problem());
            ready[0] = true;
            assertNull(gate.problem());
            assertEquals(0, asked.get(), "asked before the grace period ended");
            Thread.sleep(350);
            assertNull(gate.problem());
            assertNull(gate.problem());
            assertEquals("down (3 times in a row)", gate.problem());
            answer.set(null);
            assertNull(gate.problem());
            answer.set("down");
            assertNull(gate.problem(), "the count starts again after a success");
        }
    }

    @Test
    void methodCheckFalseThrowingHangingAndMissing() throws Exception {
        try (RecordingNotifications recorder = new RecordingNotifications()) {
            String app = App.class.getName();
            Duration timeout = Duration.ofMillis(300);
            MethodCheck healthy = new MethodCheck(app + "#isHealthy", null, timeout, recorder.log);
            assertNull(healthy.problem());
            App.healthy = false;
            assertEquals("health check " + app + "#isHealthy returned false", healthy.problem());
            App.healthy = true;
            assertNull(healthy.problem());
            assertEquals("health check " + app + "#throwing threw java.lang.IllegalStateException: pool exhausted",
                    new MethodCheck(app + "#throwing", null, timeout, recorder.log).problem());
            MethodCheck hanging = new MethodCheck(app + "#hanging", null, timeout, recorder.log);
            assertEquals("health check " + app + "#hanging did not return within 300ms (health-timeout)", hanging.problem());
            assertTrue(hanging.problem().startsWith("health check " + app + "#hanging hangs (called "), "no second call while one hangs");
            App.HANG.countDown();
            Thread.sleep(100);
            assertNull(hanging.problem());
            MethodCheck notStatic = new MethodCheck(app + "#notStatic", null, timeout, recorder.log);
            assertNull(notStatic.problem());
            assertTrue(recorder.log().contains("health=" + app + "#notStatic cannot be called"), recorder.log());
            assertNull(new MethodCheck("no.such.Health#ok", null, timeout, recorder.log).problem());
            assertTrue(recorder.log().contains("health=no.such.Health#ok cannot be called (java.lang.ClassNotFoundException: no.such.Health)"),
                    recorder.log());
        }
    }

    @Test
    void httpProbeHealthyDownErrorAndSilent() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger code = new AtomicInteger(200);
        server.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(code.get(), -1);
            exchange.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
        Duration timeout = Duration.ofMillis(500);
        try {
            assertNull(new HttpCheck(url, timeout).problem());
            code.set(503);
            assertEquals("HTTP probe " + url + " answered 503", new HttpCheck(url, timeout).problem());
        } finally {
            server.stop(0);
        }
        String refused = new HttpCheck(url, timeout).problem();
        assertTrue(refused.startsWith("HTTP probe " + url + " failed: java.net.ConnectException"), refused);
        try (ServerSocket silent = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            String silentUrl = "http://127.0.0.1:" + silent.getLocalPort() + "/";
            assertEquals("HTTP probe " + silentUrl + " did not answer within 500ms (health-timeout)",
                    new HttpCheck(silentUrl, timeout).problem());
        }
    }

    @Test
    void optionsDefaultsBoundsAndErrors() {
        WatchdogOptions defaults = AgentConfig.defaults().watchdogOptions();
        assertEquals(AgentConfig.WatchdogAction.TRIGGER, defaults.action());
        assertTrue(defaults.deadlockCheck());
        assertEquals(50, defaults.gcOverheadPercent());
        assertEquals(Duration.ofSeconds(30), defaults.gcWindow());
        assertEquals(0, defaults.heapAfterGcPercent());
        assertNull(defaults.health());
        assertEquals(Duration.ofSeconds(10), defaults.startExtend());
        assertNull(defaults.stopExtend());
        assertNull(defaults.statusInterval());
        assertNull(defaults.startProgressFile());
        assertEquals("/var/log/app/start.log", AgentConfig.load("start-progress-file=/var/log/app/start.log",
                new Properties()).watchdogOptions().startProgressFile());

        AgentConfig config = AgentConfig.load("watchdog-action=skip,gc-overhead=80%,gc-window=1s,health-timeout=1h,"
                + "health=http://127.0.0.1:8080/actuator/health,start-extend=off,stop-extend=30s,status-interval=10ms", new Properties());
        WatchdogOptions options = config.watchdogOptions();
        assertEquals(AgentConfig.WatchdogAction.SKIP, options.action());
        assertEquals(80, options.gcOverheadPercent());
        assertEquals(WatchdogOptions.MIN_GC_WINDOW, options.gcWindow());
        assertEquals(WatchdogOptions.MAX_TIMEOUT, options.healthTimeout());
        assertEquals("http://127.0.0.1:8080/actuator/health", options.health());
        assertNull(options.startExtend());
        assertEquals(Duration.ofSeconds(30), options.stopExtend());
        assertEquals(Duration.ofSeconds(1), options.statusInterval());
        assertEquals(3, config.warnings().size(), config.warnings().toString());
        assertEquals("gc-window=1s (-javaagent options) is outside 5s..3600s; using 5s", config.warnings().get(0));

        assertEquals("com.acme.Health#isHealthy", AgentConfig.load("health=com.acme.Health#isHealthy", new Properties())
                .watchdogOptions().health());
        assertEquals(1, AgentConfig.load("watchdog-interval=1ms", new Properties()).warnings().size());

        assertError("gc-overhead=150%", "invalid option gc-overhead=150% (-javaagent options): out of range; expected a percentage");
        assertError("health-failures=0", "invalid option health-failures=0 (-javaagent options): out of range; expected a whole number");
        assertError("watchdog-action=restart", "invalid option watchdog-action=restart (-javaagent options): expected trigger");
        assertError("health=com.acme.Health#isHealthy(int)", "the health method takes no parameters");
        assertError("health=nohash", "invalid option health=nohash (-javaagent options): ");
        assertError("stop-extend=soon", "invalid option stop-extend=soon (-javaagent options): expected a duration");
        assertError("start-progress-file=logs/start.log", "invalid option start-progress-file=logs/start.log "
                + "(-javaagent options): not an absolute path; expected the path of a file");
    }

    private static void assertError(String options, String start) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AgentConfig.load(options, new Properties()));
        assertTrue(e.getMessage().contains(start), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
