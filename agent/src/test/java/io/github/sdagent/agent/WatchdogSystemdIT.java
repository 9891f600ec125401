package io.github.sdagent.agent;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watchdog under the real systemd user manager (units sdt-wd-*), each test on JDK 17 and 25. Bounds are
 * generous (a loaded 2-core machine); the measured latencies are printed and documented in docs/watchdog.md.
 */
class WatchdogSystemdIT extends WatchdogUnitsSetUp {

    static final String APP = WatchdogUnits.APP;
    static final String READY = WatchdogUnits.READY;

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void deadlockedAppIsRestartedWithResultWatchdogAndTheThreadsNamed(String jdk) throws Exception {
        String unit = units.name("deadlock");
        String started = units.start(unit, jdk, READY, Collections.<String>emptyList(), null, args("deadlock"),
                "WatchdogSec=4", "Restart=on-failure", "RestartSec=1", "TimeoutStartSec=60");
        String stops = units.awaitStop(unit, 60_000);
        String out = units.out(unit);
        assertTrue(stops.startsWith("result=watchdog "), started + stops + out);
        assertTrue(stops.contains("StatusText=Unhealthy: deadlock between \"worker-"), stops + out);
        assertTrue(stops.contains("\"worker-1\" waits for java.lang.Object@") && stops.contains("held by \"worker-2\""), stops);
        Matcher deadlocked = Pattern.compile("deadlocked at (\\d+)").matcher(out);
        Matcher stopped = Pattern.compile("at=(\\d+)").matcher(stops);
        assertTrue(deadlocked.find() && stopped.find(), out + stops);
        long latency = Long.parseLong(stopped.group(1)) - Long.parseLong(deadlocked.group(1));
        System.out.println("JDK " + jdk + ": deadlock to ExecStopPost in " + latency + " ms (WatchdogSec=4)");
        assertTrue(latency < 20_000, "took " + latency + " ms");
        assertRestarted(unit);
    }

    /** Restart=on-failure brought the unit back (within 30 s). */
    private static void assertRestarted(String unit) throws Exception {
        Map<String, String> state = UserManager.show(unit);
        long deadline = System.currentTimeMillis() + 30_000;
        while (Integer.parseInt(state.get("NRestarts")) < 1 && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            state = UserManager.show(unit);
        }
        assertTrue(Integer.parseInt(state.get("NRestarts")) >= 1, "not restarted: " + state);
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void gcThrashingAppIsRestartedWithAGcReason(String jdk) throws Exception {
        String unit = units.name("gc");
        units.start(unit, jdk, READY + ",gc-window=10s", args("-Xmx64m", "-XX:+UseG1GC"), null, args("gc-thrash"),
                "WatchdogSec=4", "Restart=on-failure", "RestartSec=1", "TimeoutStartSec=60");
        String stops = units.awaitStop(unit, 120_000);
        assertTrue(stops.startsWith("result=watchdog "), "stops: [" + stops + "] output: [" + units.out(unit) + "]");
        assertTrue(Pattern.compile("StatusText=Unhealthy: GC took \\d+ % of the last 10s \\(gc-overhead=50%\\)").matcher(stops).find(),
                stops + units.out(unit));
        assertRestarted(unit);

        // the optional signal alone: the same app with the overhead check off, heap-after-gc=80%
        String full = units.name("heap");
        units.start(full, jdk, READY + ",gc-overhead=off,heap-after-gc=80%,gc-window=5s", args("-Xmx64m", "-XX:+UseG1GC"), null,
                args("gc-thrash"), "WatchdogSec=4", "TimeoutStartSec=60");
        String fullStops = units.awaitStop(full, 120_000);
        assertTrue(fullStops.startsWith("result=watchdog "), fullStops + units.out(full));
        assertTrue(Pattern.compile("StatusText=Unhealthy: heap still \\d+ % full after GC for 5s \\(heap-after-gc=80%\\)")
                .matcher(fullStops).find(), fullStops + units.out(full));
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void healthMethodFalseThrowingHangingRecoveryAndSkip(String jdk) throws Exception {
        String unit = units.name("method");
        Path state = dir.resolve("state");
        Files.writeString(state, "ok");
        String method = APP + "#isHealthy";
        units.start(unit, jdk, READY + ",health=" + method + ",health-grace=1s,health-failures=2,health-timeout=1s,"
                        + "watchdog-action=skip,watchdog-interval=1s", Collections.<String>emptyList(), null,
                args("health", state.toString(), "0"), "WatchdogSec=15", "TimeoutStartSec=60");
        units.awaitActive(unit);

        Files.writeString(state, "false");
        // "(2 times in a row)", then "(3 times ...)" a round later: a poll of a loaded machine may see only the later one
        awaitStatus(unit, "Unhealthy: health check " + method + " returned false (");
        long lastPing = WatchdogUnits.lastPing(unit);
        Thread.sleep(3_000);
        assertEquals(lastPing, WatchdogUnits.lastPing(unit), "WATCHDOG=1 went on while unhealthy");
        Files.writeString(state, "ok");
        awaitStatus(unit, "Healthy again after ");
        long recovered = WatchdogUnits.lastPing(unit);
        Thread.sleep(2_500);
        assertTrue(WatchdogUnits.lastPing(unit) > recovered, "no WATCHDOG=1 since the recovery");
        assertTrue(units.out(unit).contains("isHealthy called on sd-agent-health-call"), "not called on the agent's thread: "
                + units.out(unit));
        Files.writeString(state, "throw");
        awaitStatus(unit, "Unhealthy: health check " + method
                + " threw java.lang.IllegalStateException: database connection pool exhausted (");
        Files.writeString(state, "ok");
        awaitStatus(unit, "Healthy again after ");
        assertEquals("active", UserManager.show(unit).get("ActiveState"), "pings resumed after each recovery");
        Files.writeString(state, "hang");
        awaitStatus(unit, "Unhealthy: health check " + method + " ");
        long lastPingBeforeTheEnd = WatchdogUnits.lastPing(unit); // the pings stopped before that STATUS was sent
        // skip: no WATCHDOG=trigger, the pings stop and WatchdogSec=15 expires
        Map<String, String> end = UserManager.await(unit, 60_000, "failed", "inactive");
        assertEquals("watchdog", end.get("Result"), end + units.out(unit));
        String stops = units.stops(unit);
        assertTrue(stops.contains("StatusText=Unhealthy: health check " + method + " hangs (called ")
                || stops.contains("StatusText=Unhealthy: health check " + method + " did not return within 1s"), stops);
        long silence = WatchdogUnits.recorded(stops, "ActiveExitTimestampMonotonic") - lastPingBeforeTheEnd;
        System.out.println("JDK " + jdk + ": watchdog-action=skip: stopped " + silence / 1000 + " ms after the last WATCHDOG=1 (WatchdogSec=15)");
        assertTrue(lastPingBeforeTheEnd > 0 && silence >= 14_500_000, "stopped " + silence / 1000 + " ms after the last ping, before WatchdogSec=15 expired:"
                + " a WATCHDOG=trigger despite watchdog-action=skip? " + stops);
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void httpProbeDownTriggersARestart(String jdk) throws Exception {
        String unit = units.name("http");
        Path state = dir.resolve("state");
        Files.writeString(state, "ok");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/health";
        // WatchdogSec=30 with a round a second: systemd acting within seconds can only be WATCHDOG=trigger, since the
        // expiry (which the unit would also end with, as Result=watchdog) comes 30 s after the last ping
        units.start(unit, jdk, READY + ",health=" + url + ",health-grace=1s,health-failures=2,health-timeout=2s,watchdog-interval=1s",
                Collections.<String>emptyList(), null, args("health", state.toString(), Integer.toString(port)),
                "WatchdogSec=30", "Restart=on-failure", "RestartSec=1", "TimeoutStartSec=60");
        units.awaitActive(unit);
        Thread.sleep(5_000);
        assertEquals("", units.stops(unit), "a healthy probe restarted the service");
        long down = System.currentTimeMillis();
        Files.writeString(state, "false");
        String stops = units.awaitStop(unit, 60_000);
        assertTrue(stops.startsWith("result=watchdog "), stops + units.out(unit));
        assertTrue(stops.contains("StatusText=Unhealthy: HTTP probe " + url + " answered 503 (2 times in a row)"), stops);
        Matcher stopped = Pattern.compile("at=(\\d+)").matcher(stops);
        assertTrue(stopped.find(), stops);
        long took = Long.parseLong(stopped.group(1)) - down;
        System.out.println("JDK " + jdk + ": probe down to ExecStopPost in " + took + " ms (WatchdogSec=30, health-failures=2)");
        assertTrue(took < 15_000, "stopped " + took + " ms after the probe went down: WatchdogSec=30 expired,"
                + " WATCHDOG=trigger did not act: " + stops);
        assertRestarted(unit);
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void slowButProgressingStartOutlivesTimeoutStartSecAndHungStartTimesOut(String jdk) throws Exception {
        String slow = units.name("slowstart");
        units.start(slow, jdk, READY + ",status-interval=1s", Collections.<String>emptyList(), null, args("slow-start", "20"),
                "TimeoutStartSec=5");
        Map<String, String> state = UserManager.await(slow, 90_000, "active", "failed", "inactive");
        long activeAt = System.currentTimeMillis();
        assertEquals("active", state.get("ActiveState"), state + units.out(slow));
        Matcher ready = Pattern.compile("ready at (\\d+)").matcher(units.out(slow));
        assertTrue(ready.find(), units.out(slow));
        assertTrue(Long.parseLong(ready.group(1)) <= activeAt, "active before it was ready");
        assertTrue(units.out(slow).contains("start-up progressing"), units.out(slow));
        // status-interval=1s: the live line follows "Ready in ..."
        Set<String> statuses = WatchdogUnits.statusesUntil(slow, 20_000,
                s -> s.matches("Ready \\d+s; heap \\d+/\\d+ MB; \\d+ threads; GC \\d+\\.\\d %"));
        assertTrue(statuses.stream().anyMatch(s -> s.matches("Ready \\d+s; heap \\d+/\\d+ MB; \\d+ threads; GC \\d+\\.\\d %")),
                statuses.toString());

        String hung = units.name("hungstart");
        long begun = System.currentTimeMillis();
        units.start(hung, jdk, READY, Collections.<String>emptyList(), null, args("hung-start"), "TimeoutStartSec=5");
        Map<String, String> end = UserManager.await(hung, 90_000, "failed", "inactive");
        long took = System.currentTimeMillis() - begun;
        System.out.println("JDK " + jdk + ": hung start failed after " + took + " ms (TimeoutStartSec=5, start-extend=10s)");
        assertEquals("timeout", end.get("Result"), end + units.out(hung));
        // No progress, so no EXTEND_TIMEOUT_USEC: the agent's own start-up does not count (the agent says so once when it
        // sends the first one), and systemd gives up at TimeoutStartSec=5, not start-extend=10s after some progress.
        String hungStops = units.awaitStop(hung, 30_000);
        long gaveUp = WatchdogUnits.recorded(hungStops, "StateChangeTimestampMonotonic")
                - WatchdogUnits.recorded(hungStops, "InactiveExitTimestampMonotonic");
        System.out.println("JDK " + jdk + ": hung start: from its start until the JVM had gone " + gaveUp / 1000 + " ms (systemd's clock)");
        assertTrue(!units.out(hung).contains("start-up progressing"), "a start without progress was extended: " + units.out(hung));
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void slowShutdownHookIsWaitedForAndNamedANeverEndingOneKilledAtTheBound(String jdk) throws Exception {
        String slow = units.name("slowstop");
        units.start(slow, jdk, READY + ",stop-extend=30s", Collections.<String>emptyList(), null, args("slow-stop", "10"),
                "TimeoutStopSec=3");
        units.awaitActive(slow);
        UserManager.run("systemctl", "--user", "--no-block", "stop", slow);
        Set<String> statuses = WatchdogUnits.statusesUntil(slow, 20_000,
                s -> s.equals("Stopping: waiting for shutdown hooks \"flush-queue\""));
        assertTrue(statuses.contains("Stopping: waiting for shutdown hooks \"flush-queue\""), statuses + units.out(slow));
        Map<String, String> state = UserManager.await(slow, 60_000, "inactive", "failed");
        assertEquals("success", state.get("Result"), state + units.out(slow));
        assertTrue(units.out(slow).contains("flush-queue done"), units.out(slow));

        String endless = units.name("endlessstop");
        units.start(endless, jdk, READY + ",stop-extend=8s", Collections.<String>emptyList(), null, args("slow-stop", "forever"),
                "TimeoutStopSec=3");
        units.awaitActive(endless);
        long begun = System.currentTimeMillis();
        UserManager.run("systemctl", "--user", "--no-block", "stop", endless);
        Map<String, String> end = UserManager.await(endless, 60_000, "inactive", "failed");
        long took = System.currentTimeMillis() - begun;
        System.out.println("JDK " + jdk + ": never-ending hook killed after " + took + " ms (TimeoutStopSec=3, stop-extend=8s)");
        assertEquals("timeout", end.get("Result"), end + units.out(endless));
        assertTrue(took >= 7_000 && took < 30_000, "killed after " + took + " ms");
        assertTrue(units.stops(endless).contains("StatusText=Stopping: waiting for shutdown hooks \"flush-queue\""),
                units.stops(endless) + units.out(endless));
    }

    /**
     * Costs nothing until needed: without WatchdogSec= (and a service ready at once) no check class, no MXBean and no
     * "sd-agent-health" thread; with WatchdogSec=2 they are there. Read from -Xlog:class+load and the kernel's thread
     * names (/proc/PID/task/N/comm, 15 characters).
     */
    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void nothingOfTheWatchdogRunsWithoutWatchdogSec(String jdk) throws Exception {
        // Not StartProgress: it belongs to start-extend= (on by default) and runs while a ready hook is awaited, with or
        // without WatchdogSec=; whether the agent's set-up finishes before this app's hook fires is a matter of timing
        // (since issue 14 the agent's thread starts earlier, and usually does).
        List<String> checkClasses = Arrays.asList("io.github.sdagent.agent.watchdog.HealthMonitor ",
                "io.github.sdagent.agent.watchdog.DeadlockCheck ", "io.github.sdagent.agent.watchdog.GcOverheadCheck ",
                "io.github.sdagent.agent.watchdog.StatusLine ",
                "io.github.sdagent.agent.watchdog.Watchdog ", "java.lang.management.ManagementFactory ");
        for (String watchdogSec : new String[] {"", "2"}) {
            String unit = units.name("cost" + watchdogSec);
            Path classes = dir.resolve(unit + ".classes");
            List<String> properties = new java.util.ArrayList<>(Collections.singletonList("TimeoutStartSec=60"));
            if (!watchdogSec.isEmpty()) {
                properties.add("WatchdogSec=" + watchdogSec);
            }
            units.start(unit, jdk, READY, args("-Xlog:class+load=info:file=" + classes), null, args("slow-stop", "1"),
                    properties.toArray(new String[0]));
            Map<String, String> state = UserManager.await(unit, 60_000, "active", "failed");
            assertEquals("active", state.get("ActiveState"), units.out(unit));
            Thread.sleep(3_000); // the agent's start-up, first pings and rounds are over
            String threads = threadNames(state.get("MainPID"));
            String loaded = Files.readString(classes);
            if (watchdogSec.isEmpty()) {
                assertTrue(!threads.contains("sd-agent-health"), threads);
                for (String name : checkClasses) {
                    assertTrue(!loaded.contains(name), name + "loaded without WatchdogSec=");
                }
            } else {
                assertTrue(threads.contains("sd-agent-health"), threads);
                // The launcher loads LauncherHelper once the JVM is created, that is after every premain has returned
                // (the agent's own threads may run before the main class loads: its start gate holds it)
                int premainOver = loaded.indexOf(" sun.launcher.LauncherHelper ");
                int management = loaded.indexOf(" java.lang.management.ManagementFactory ");
                assertTrue(premainOver > 0 && management > premainOver, "platform MXBeans touched in premain:"
                        + " LauncherHelper at " + premainOver + ", ManagementFactory at " + management);
                for (String name : checkClasses) {
                    if (!name.contains("StartProgress") && !name.contains("StatusLine")) {
                        assertTrue(loaded.contains(name), name + "not loaded with WatchdogSec=2: is the check running?");
                    }
                }
            }
        }
    }

    private static String threadNames(String pid) throws Exception {
        StringBuilder names = new StringBuilder();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", pid, "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                names.append(Files.readString(task.resolve("comm")).trim()).append(", ");
            }
        }
        return names.toString();
    }

    /** The controls: without the extensions, the same units fail on TimeoutStartSec=5 and TimeoutStopSec=3. */
    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17"})
    void withoutTheExtensionsTheSameSlowStartAndStopTimeOut(String jdk) throws Exception {
        String slow = units.name("slowstart-off");
        units.start(slow, jdk, READY + ",start-extend=off", Collections.<String>emptyList(), null, args("slow-start", "20"),
                "TimeoutStartSec=5");
        Map<String, String> end = UserManager.await(slow, 60_000, "failed", "inactive", "active");
        assertEquals("timeout", end.get("Result"), end + units.out(slow));

        String stop = units.name("slowstop-off");
        units.start(stop, jdk, READY, Collections.<String>emptyList(), null, args("slow-stop", "10"), "TimeoutStopSec=3");
        units.awaitActive(stop);
        long begun = System.currentTimeMillis();
        UserManager.run("systemctl", "--user", "--no-block", "stop", stop);
        Map<String, String> stopped = UserManager.await(stop, 60_000, "inactive", "failed");
        assertEquals("timeout", stopped.get("Result"), stopped + units.out(stop));
        assertTrue(System.currentTimeMillis() - begun < 9_000, "not killed at TimeoutStopSec=3");
        assertTrue(units.stops(stop).contains("StatusText=Stopping: waiting for shutdown hooks \"flush-queue\""), units.stops(stop));
    }

    private static void awaitStatus(String unit, String prefix) throws Exception {
        Set<String> seen = WatchdogUnits.statusesUntil(unit, 30_000, s -> s.startsWith(prefix));
        assertTrue(seen.stream().anyMatch(s -> s.startsWith(prefix)), "never saw '" + prefix + "': " + seen);
    }
}
