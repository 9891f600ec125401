package io.github.sdagent.bench;

import com.sun.jna.Memory;
import io.github.sdagent.bench.SampleApp.Launched;
import io.github.sdagent.bench.SampleApp.Variant;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs every benchmark of issue 5 once, in one process, against baselines measured in the same run,
 * and prints one Markdown table. Configured by system properties (the pom passes them):
 * {@code bench.agentJar}, {@code bench.javaHome}, {@code bench.springJar}, {@code bench.springHook}, {@code bench.runs},
 * {@code bench.output}, {@code bench.only} (comma-separated subset of
 * clock,startup,critical-path,footprint,steady,jmh,watchdog), {@code bench.watchdogLaunches},
 * {@code bench.watchdogSeconds} (the watchdog section: launches of each configuration, seconds of CPU sampling each).
 * Prints numbers and never judges a run by them: the exit status is non-zero only when a benchmark
 * could not be run at all.
 */
public final class BenchMain {
    private static final long NANOS_PER_MS = 1_000_000L;
    /** WatchdogSec=2 for every "agent, NOTIFY_SOCKET set" launch, so the watchdog thread really pings. */
    private static final long WATCHDOG_USEC = 2_000_000L;

    /** The JDK that runs the samples and the JMH forks (and whose jstat/jcmd read them). */
    private final Path javaHome = Path.of(System.getProperty("bench.javaHome", System.getProperty("java.home")));
    private final Path java = javaHome.resolve("bin/java");
    private final Path agentJar = Path.of(System.getProperty("bench.agentJar", "agent/target/sd-agent.jar"));
    private final String springJar = System.getProperty("bench.springJar", "");
    private final String springHook = System.getProperty("bench.springHook",
            "org.springframework.boot.SpringApplication#run:java.lang.String[]");
    private final int runs = Integer.getInteger("bench.runs", 15);
    private final Set<String> only = new TreeSet<>(Arrays.asList(
            System.getProperty("bench.only", "clock,startup,critical-path,footprint,steady,jmh,watchdog").split(",")));
    private final Path workDir;
    private final Report report = new Report();
    private final PrintStream log = System.out;
    private int launchCount;
    private Path emptyAgentJar;
    /** The variants of the sections that compare sd-agent's states only. */
    private static final Variant[] AGENT_VARIANTS = {Variant.NO_AGENT, Variant.AGENT_NOTIFY, Variant.AGENT_NO_SOCKET};

    private BenchMain() throws IOException {
        workDir = Files.createTempDirectory("sdagent-bench-");
    }

    public static void main(String[] args) throws Exception {
        System.exit(new BenchMain().run());
    }

    private int run() throws Exception {
        long start = System.nanoTime();
        String loadBefore = loadAverage();
        if (!Files.isRegularFile(agentJar)) {
            throw new IllegalStateException("agent jar " + agentJar + " is missing: build it first"
                    + " (mvn -B -pl agent package, or run the whole reactor: mvn -B -Pbench verify)");
        }
        SampleApp jetty = SampleApp.jetty();
        SampleApp spring = SampleApp.springBoot(springJar, springHook);

        section("clock", this::clockCheck);
        section("startup " + jetty.name(), () -> startupAndReady(jetty, runs, 120));
        // The Spring Boot section gave 40 s of its budget to the fast starter (issue 14), so a run takes no longer.
        section("startup " + spring.name(), () -> startupAndReady(spring, Math.max(5, runs * 2 / 3), 110));
        SampleApp fast = SampleApp.fastServer();
        section("startup " + fast.name(), () -> startupAndReady(fast, runs, 40));
        section("critical-path", () -> criticalPath(jetty, "io.github.sdagent.bench.app.JettySample"));
        section("footprint", () -> footprint(jetty, 5, 60));
        section("steady", () -> steadyState(jetty, 3, 75));
        section("jmh", this::notifyCost);
        section("ready-auto " + jetty.name(), () -> readyAutoVersusHook(jetty, runs, 120));
        section("watchdog", () -> new WatchdogBenchmark(java, agentJar, workDir, report, log,
                Integer.getInteger("bench.watchdogLaunches", 2), Integer.getInteger("bench.watchdogSeconds", 20)).run());
        section("activation " + jetty.name(), () -> adoptedVersusOwnSocket(jetty, 3, 120));

        long jarBytes = Files.size(agentJar);
        report.row("Agent jar size", "-", String.format(Locale.ROOT, "%.2f MB", jarBytes / 1e6),
                jarBytes + " bytes", "<= 2.5 MB", Report.atMost(jarBytes / 1e6, 2.5));

        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        List<String> header = List.of(
                "Run " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ", " + seconds + " s, "
                        + Runtime.getRuntime().availableProcessors() + " CPUs, "
                        + "apps on " + jdkVersion() + ", Linux "
                        + System.getProperty("os.version"),
                "Load average before/after: " + loadBefore + " / " + loadAverage(),
                "Agent: " + agentJar + (springJar.isBlank() ? "" : ", Spring Boot sample: " + springJar));
        String table = report.markdown("sd-agent benchmarks", header);
        log.println();
        log.println(table);
        String output = System.getProperty("bench.output");
        if (output != null) {
            Files.writeString(Path.of(output), table);
            log.println("(table written to " + output + ")");
        }
        if (report.failures().isEmpty()) {
            deleteRecursively(workDir);
        } else {
            log.println("Logs of every launch are in " + workDir);
            log.println("Benchmarks that could not run:");
            report.failures().forEach(failure -> log.println("  " + failure));
            return 1;
        }
        return 0;
    }

    private interface Section {
        void run() throws Exception;
    }

    private void section(String name, Section section) {
        if (!only.contains(name.split(" ")[0])) {
            return;
        }
        log.println("== " + name);
        try {
            section.run();
        } catch (Exception | Error e) {
            e.printStackTrace(log);
            report.failure(name, e);
        }
    }

    // ---------------------------------------------------------------- clock

    /** System.nanoTime must be CLOCK_MONOTONIC, and the same in every JVM on the machine. */
    private void clockCheck() throws Exception {
        Memory timespec = new Memory(16);
        int inProcessViolations = 0;
        for (int i = 0; i < 10_000; i++) {
            long before = System.nanoTime();
            long monotonic = Libc.monotonicNanos(timespec);
            long after = System.nanoTime();
            if (monotonic < before || monotonic > after) {
                inProcessViolations++;
            }
        }
        Process probe = new ProcessBuilder(java.toString(), "-cp", classesDir(),
                "io.github.sdagent.bench.app.ClockProbe").start();
        List<Long> windows = new ArrayList<>();
        int crossViolations = 0;
        try (PrintStream toProbe = new PrintStream(probe.getOutputStream(), true);
             BufferedReader fromProbe = new BufferedReader(new InputStreamReader(probe.getInputStream()))) {
            for (int i = 0; i < 300; i++) {
                long before = System.nanoTime();
                toProbe.println();
                long probeNanos = Long.parseLong(fromProbe.readLine().trim());
                long after = System.nanoTime();
                if (probeNanos < before || probeNanos > after) {
                    crossViolations++;
                }
                if (i >= 50) {
                    windows.add(after - before);
                }
            }
        }
        probe.waitFor(10, TimeUnit.SECONDS);
        Stats window = Stats.of(windows);
        report.row("Clock: System.nanoTime == CLOCK_MONOTONIC, across JVMs", "-", "-",
                String.format(Locale.ROOT, "in-process: %d/10000 outside [before, after]; cross-process: %d/300"
                        + " child stamps outside the parent's round trip (median round trip %.0f µs)",
                        inProcessViolations, crossViolations, window.median() / 1000),
                "0 violations", inProcessViolations + crossViolations == 0 ? "met" : "missed");
    }

    private static String classesDir() {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith("classes")) {
                return entry;
            }
        }
        throw new IllegalStateException("no classes directory on " + System.getProperty("java.class.path"));
    }

    // ---------------------------------------------------------------- startup and READY

    private Launched launch(SampleApp app, Variant variant, NotifyReceiver receiver) throws IOException {
        return launch(app, variant, receiver, List.of());
    }

    private Launched launch(SampleApp app, Variant variant, NotifyReceiver receiver, List<String> jvmArgs)
            throws IOException {
        return launch(app, variant, receiver, jvmArgs, variant == Variant.EMPTY_AGENT ? null : "ready=" + app.readyHook());
    }

    private Launched launch(SampleApp app, Variant variant, NotifyReceiver receiver, List<String> jvmArgs,
                            String agentArgs) throws IOException {
        Path output = workDir.resolve("launch-" + (++launchCount) + ".log");
        Path agent = variant == Variant.NO_AGENT ? null : variant == Variant.EMPTY_AGENT ? emptyAgent() : agentJar;
        return app.launch(java, jvmArgs, agent, agentArgs, receiver, WATCHDOG_USEC, output);
    }

    /**
     * ready=auto (no ready= option: the presets, here Jetty's) against the explicit hook, both with NOTIFY_SOCKET,
     * alternating: launch to READY=1 and CPU time until the first HTTP 200. Opt-in: {@code -Dbench.only=ready-auto}.
     */
    private void readyAutoVersusHook(SampleApp app, int count, int budgetSeconds) throws Exception {
        Budget budget = new Budget(budgetSeconds);
        String[] options = {"ready=" + app.readyHook(), ""};
        List<List<Double>> readyMillis = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<Double>> cpuMillis = List.of(new ArrayList<>(), new ArrayList<>());
        for (int round = -1; round < count && budget.allows(round); round++) {
            for (int k = 0; k < options.length; k++) {
                int which = Math.floorMod(round + k, options.length);
                NotifyReceiver receiver = receiverFor(Variant.AGENT_NOTIFY);
                try (Launched launched = launch(app, Variant.AGENT_NOTIFY, receiver, List.of(), options[which])) {
                    launched.awaitServing(120_000);
                    ProcCpu cpu = ProcCpu.of(launched.pid());
                    NotifyReceiver.Datagram ready = receiver.await("READY=1", 20_000);
                    if (ready == null) {
                        throw new IOException("no READY=1 within 20 s with options '" + options[which] + "':\n"
                                + launched.tail());
                    }
                    if (round >= 0) {
                        readyMillis.get(which).add((ready.nanos() - launched.launchNanos()) / 1e6);
                        cpuMillis.get(which).add(cpu.processMillis());
                    }
                } finally {
                    receiver.close();
                }
            }
            log.printf(Locale.ROOT, "ready-auto round %d: hook %s, auto %s%n", round, lastOf(readyMillis.get(0)),
                    lastOf(readyMillis.get(1)));
        }
        Stats hook = Stats.of(readyMillis.get(0));
        Stats auto = Stats.of(readyMillis.get(1));
        report.row("Launch to READY=1, " + app.name() + ": ready=auto (default) vs ready=" + app.readyHook(),
                "hook: " + hook.describe("%.0f ms"), auto.describe("%.0f ms"),
                String.format(Locale.ROOT, "ratio %.3f", auto.median() / hook.median()), "-", "info");
        Stats hookCpu = Stats.of(cpuMillis.get(0));
        Stats autoCpu = Stats.of(cpuMillis.get(1));
        report.row("CPU time until the first HTTP 200, " + app.name() + ": ready=auto vs the explicit hook",
                "hook: " + hookCpu.describe("%.0f ms"), autoCpu.describe("%.0f ms"),
                String.format(Locale.ROOT, "%+.0f ms", autoCpu.median() - hookCpu.median()), "-", "info");
    }

    /**
     * Issue 11: throughput through a socket the agent adopted from systemd (systemd-socket-activate, LISTEN_FDS)
     * against the application's own socket, both with the agent and NOTIFY_SOCKET, alternating in the same run:
     * keep-alive requests (the listening socket is used once per connection) and a new connection per request (every
     * request goes through the listening socket). Opt-in: {@code -Dbench.only=activation}.
     */
    private void adoptedVersusOwnSocket(SampleApp app, int count, int budgetSeconds) throws Exception {
        Budget budget = new Budget(budgetSeconds);
        String[] labels = {"own socket", "adopted socket"};
        List<List<Double>> keepAlive = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<Double>> perRequest = List.of(new ArrayList<>(), new ArrayList<>());
        int round = 0;
        for (; round < count && budget.allows(round); round++) {
            for (int k = 0; k < 2; k++) {
                int which = (round + k) % 2;
                NotifyReceiver receiver = receiverFor(Variant.AGENT_NOTIFY);
                Path output = workDir.resolve("launch-" + (++launchCount) + ".log");
                try (Launched launched = app.launch(java, List.of(), agentJar, "ready=" + app.readyHook(), receiver,
                        WATCHDOG_USEC, output, which == 1)) {
                    launched.awaitServing(120_000);
                    if (which == 1 && !Files.readString(output).contains("uses inherited socket")) {
                        throw new IOException("the adopted variant did not adopt:\n" + launched.tail());
                    }
                    keepAlive.get(which).add(LoadGenerator.run(launched.port(), 4, 2000, 4000, false));
                    perRequest.get(which).add(LoadGenerator.run(launched.port(), 4, 1000, 4000, true));
                    log.printf(Locale.ROOT, "activation %s: %.0f req/s keep-alive, %.0f req/s connection per request%n",
                            labels[which], lastValue(keepAlive.get(which)), lastValue(perRequest.get(which)));
                } finally {
                    receiver.close();
                }
            }
        }
        budget.noteIfCut(app.name() + " adopted socket", round, count);
        String[] what = {"keep-alive, 4 connections, 4 s", "a new connection per request, 4 clients, 4 s"};
        List<List<List<Double>>> series = List.of(keepAlive, perRequest);
        for (int m = 0; m < 2; m++) {
            Stats own = Stats.of(series.get(m).get(0));
            Stats adopted = Stats.of(series.get(m).get(1));
            double ratio = adopted.median() / own.median();
            report.row("Socket activation " + app.name() + ": req/s, " + what[m] + ", adopted vs own socket",
                    "own socket: " + own.describe("%.0f"), adopted.describe("%.0f"),
                    String.format(Locale.ROOT, "ratio %.3f", ratio), "~1.00",
                    Math.abs(ratio - 1) <= 0.05 ? "met (within 5%)"
                            : String.format(Locale.ROOT, "off by %+.1f%%", (ratio - 1) * 100));
        }
    }

    private static double lastValue(List<Double> series) {
        return series.isEmpty() ? Double.NaN : series.get(series.size() - 1);
    }

    private static String lastOf(List<Double> series) {
        return series.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f ms", series.get(series.size() - 1));
    }

    private Path emptyAgent() throws IOException {
        if (emptyAgentJar == null) {
            emptyAgentJar = EmptyAgent.writeJar(workDir);
        }
        return emptyAgentJar;
    }

    private NotifyReceiver receiverFor(Variant variant) {
        return variant == Variant.AGENT_NOTIFY
                ? NotifyReceiver.bind(workDir.resolve("notify-" + (launchCount + 1) + ".sock").toString())
                : null;
    }

    /** Launches of the current startup section that never served (a hang to investigate), see startupAndReady. */
    private final List<String> neverServed = new ArrayList<>();

    private void startupAndReady(SampleApp app, int count, int budgetSeconds) throws Exception {
        Budget budget = new Budget(budgetSeconds);
        Variant[] variants = Variant.values();
        Map<Variant, List<Double>> serveMillis = new EnumMap<>(Variant.class);
        Map<Variant, List<Double>> heldMicros = new EnumMap<>(Variant.class);
        Map<Variant, List<Double>> toMainMillis = new EnumMap<>(Variant.class);
        Map<Variant, List<Double>> cpuMillis = new EnumMap<>(Variant.class);
        Map<Variant, List<Double>> mainCpuMillis = new EnumMap<>(Variant.class);
        Map<Variant, Map<String, List<Double>>> groupCpuMillis = new EnumMap<>(Variant.class);
        List<Double> readyLatencyMicros = new ArrayList<>();
        List<Double> readyAfterLaunchMillis = new ArrayList<>();
        List<Double> pollLoopDelayMillis = new ArrayList<>();
        int stoppingSeen = 0;
        int notifyLaunches = 0;
        for (Variant variant : variants) {
            serveMillis.put(variant, new ArrayList<>());
            heldMicros.put(variant, new ArrayList<>());
            toMainMillis.put(variant, new ArrayList<>());
            cpuMillis.put(variant, new ArrayList<>());
            mainCpuMillis.put(variant, new ArrayList<>());
            groupCpuMillis.put(variant, new LinkedHashMap<>());
        }
        int round = -1;
        for (; round < count && budget.allows(round); round++) { // round -1 warms the page cache, not counted
            for (int k = 0; k < variants.length; k++) {
                Variant variant = variants[Math.floorMod(round + k, variants.length)];
                NotifyReceiver receiver = receiverFor(variant);
                try {
                    Launched launched = launch(app, variant, receiver);
                    try {
                        long serving;
                        try {
                            serving = launched.awaitServing(120_000);
                        } catch (Launched.NeverServed hung) {
                            // One stuck launch among dozens is a finding to show, not a reason to lose the section:
                            // its thread dump goes into the output, the launch is not counted, and the row below says so.
                            neverServed.add(app.name() + ", " + variant.label + ", round " + round);
                            log.println(hung.getMessage() + "\nthread dump (SIGQUIT):\n" + launched.threadDump());
                            if (neverServed.size() > 3) {
                                throw hung;
                            }
                            continue;
                        }
                        ProcCpu cpu = ProcCpu.of(launched.pid());
                        if (round < 0) {
                            continue;
                        }
                        double serveMs = (serving - launched.launchNanos()) / 1e6;
                        serveMillis.get(variant).add(serveMs);
                        cpuMillis.get(variant).add(cpu.processMillis());
                        mainCpuMillis.get(variant).add(cpu.mainThreadMillis());
                        cpu.byGroup().forEach((group, millis) -> groupCpuMillis.get(variant)
                                .computeIfAbsent(group, x -> new ArrayList<>()).add(millis));
                        if (app.printsStartedNanos()) {
                            long started = launched.printedNanos("STARTED_NANOS", 10_000);
                            long returned = launched.printedNanos("RETURNED_NANOS", 10_000);
                            heldMicros.get(variant).add((returned - started) / 1e3);
                            long main = launched.printedNanos("MAIN_NANOS", 10_000);
                            toMainMillis.get(variant).add((main - launched.launchNanos()) / 1e6);
                            if (receiver != null) {
                                NotifyReceiver.Datagram ready = receiver.await("READY=1", 10_000);
                                if (ready == null) {
                                    throw new IOException("no READY=1 within 10 s; sample output:\n" + launched.tail());
                                }
                                readyLatencyMicros.add((ready.nanos() - started) / 1e3);
                            }
                        }
                        if (receiver != null) {
                            NotifyReceiver.Datagram ready = receiver.await("READY=1", 10_000);
                            if (ready == null) {
                                throw new IOException("no READY=1 within 10 s; sample output:\n" + launched.tail());
                            }
                            readyAfterLaunchMillis.add((ready.nanos() - launched.launchNanos()) / 1e6);
                            // ExecStartPost=sh -c 'until nc -z host port; do sleep 0.5; done' polls at 0, 0.5, 1 s...
                            // after launch (poll cost itself ignored, in the workaround's favour).
                            double detectedMs = Math.ceil(serveMs / 500.0) * 500.0;
                            pollLoopDelayMillis.add(detectedMs - serveMs);
                        }
                    } finally {
                        launched.close();
                    }
                    if (receiver != null) {
                        notifyLaunches++;
                        if (receiver.await("STOPPING=1", 2_000) != null) {
                            stoppingSeen++;
                        }
                    }
                } finally {
                    if (receiver != null) {
                        receiver.close();
                    }
                }
            }
            log.printf(Locale.ROOT, "%s round %d: %s%n", app.name(), round, lastOf(serveMillis));
        }
        if (!neverServed.isEmpty()) {
            report.row("Launches that never served within 120 s, " + app.name() + " (thread dumps in the output)", "-",
                    String.join("; ", neverServed), neverServed.size() + " launch(es) not counted", "0", "investigate");
            neverServed.clear();
        }
        Stats base = Stats.of(serveMillis.get(Variant.NO_AGENT));
        Stats notify = Stats.of(serveMillis.get(Variant.AGENT_NOTIFY));
        Stats noSocket = Stats.of(serveMillis.get(Variant.AGENT_NO_SOCKET));
        double notifyRatio = notify.median() / base.median();
        double noSocketRatio = noSocket.median() / base.median();
        report.row("Startup " + app.name() + ": launch to first HTTP 200, agent with NOTIFY_SOCKET",
                "no agent: " + base.describe("%.0f ms"), notify.describe("%.0f ms"),
                String.format(Locale.ROOT, "ratio %.3f", notifyRatio), "<= 1.05", Report.atMost(notifyRatio, 1.05));
        report.row("Startup " + app.name() + ": agent, no NOTIFY_SOCKET",
                "no agent: " + base.describe("%.0f ms"), noSocket.describe("%.0f ms"),
                String.format(Locale.ROOT, "ratio %.3f", noSocketRatio), "<= 1.01", Report.atMost(noSocketRatio, 1.01));
        Stats empty = Stats.of(serveMillis.get(Variant.EMPTY_AGENT));
        report.row("Startup " + app.name() + ": an empty -javaagent (what the JVM charges any agent)",
                "no agent: " + base.describe("%.0f ms"), empty.describe("%.0f ms"),
                String.format(Locale.ROOT, "ratio %.3f; sd-agent without NOTIFY_SOCKET vs this: %.3f",
                        empty.median() / base.median(), noSocket.median() / empty.median()), "-", "info");
        Stats cpuBase = Stats.of(cpuMillis.get(Variant.NO_AGENT));
        Stats cpuNotify = Stats.of(cpuMillis.get(Variant.AGENT_NOTIFY));
        Stats cpuNoSocket = Stats.of(cpuMillis.get(Variant.AGENT_NO_SOCKET));
        report.row("CPU time (all threads) until the first HTTP 200, " + app.name(),
                "no agent: " + cpuBase.describe("%.0f ms"),
                cpuNotify.describe("%.0f ms") + "; no NOTIFY_SOCKET: " + cpuNoSocket.describe("%.0f ms"),
                String.format(Locale.ROOT, "+%.0f ms (no socket: %+.0f ms) on %d CPUs", cpuNotify.median() - cpuBase.median(),
                        cpuNoSocket.median() - cpuBase.median(), Runtime.getRuntime().availableProcessors()),
                "-", "info");
        List<String> extraByGroup = new ArrayList<>();
        for (String group : ProcCpu.GROUPS) {
            double extra = Stats.of(groupCpuMillis.get(Variant.AGENT_NOTIFY).get(group)).median()
                    - Stats.of(groupCpuMillis.get(Variant.NO_AGENT).get(group)).median();
            extraByGroup.add(String.format(Locale.ROOT, "%s %+.0f", group, extra));
        }
        report.row("Extra CPU by thread until the first HTTP 200, " + app.name()
                        + " (agent with NOTIFY_SOCKET minus no agent, medians, ms)",
                "-", String.join(", ", extraByGroup),
                "exited threads: the agent's start-up thread (sd-agent-start), which has ended by then", "-", "info");
        Stats mainBase = Stats.of(mainCpuMillis.get(Variant.NO_AGENT));
        Stats mainNotify = Stats.of(mainCpuMillis.get(Variant.AGENT_NOTIFY));
        report.row("CPU time of the application's main thread until the first HTTP 200, " + app.name(),
                "no agent: " + mainBase.describe("%.0f ms"), mainNotify.describe("%.0f ms"),
                String.format(Locale.ROOT, "%+.0f ms", mainNotify.median() - mainBase.median()), "-", "info");
        if (!toMainMillis.get(Variant.NO_AGENT).isEmpty()) {
            Stats base2 = Stats.of(toMainMillis.get(Variant.NO_AGENT));
            Stats withAgent = Stats.of(toMainMillis.get(Variant.AGENT_NOTIFY));
            Stats withoutSocket = Stats.of(toMainMillis.get(Variant.AGENT_NO_SOCKET));
            Stats emptyToMain = Stats.of(toMainMillis.get(Variant.EMPTY_AGENT));
            report.row("JVM launch to main() " + app.name() + " (premain on the critical path)",
                    "no agent: " + base2.describe("%.0f ms"),
                    withAgent.describe("%.0f ms") + "; no NOTIFY_SOCKET: " + withoutSocket.describe("%.0f ms")
                            + "; empty -javaagent: " + emptyToMain.describe("%.0f ms"),
                    String.format(Locale.ROOT, "+%.0f ms (no socket: +%.0f ms)", withAgent.median() - base2.median(),
                            withoutSocket.median() - base2.median()), "-", "info");
        }
        if (!readyLatencyMicros.isEmpty()) {
            Stats latency = Stats.of(readyLatencyMicros);
            report.row("READY latency " + app.name() + ": the hooked method returns -> receiver has READY=1",
                    "-", String.format(Locale.ROOT, "p50 %.0f µs, p99 %.0f µs, max %.0f µs (n=%d)",
                            latency.median(), latency.percentile(99), latency.max(), latency.n()),
                    String.format(Locale.ROOT, "p99 %.3f ms", latency.percentile(99) / 1000),
                    "p99 <= 1 ms", Report.atMost(latency.percentile(99) / 1000, 1.0));
            Stats base2 = Stats.of(heldMicros.get(Variant.NO_AGENT));
            Stats held = Stats.of(heldMicros.get(Variant.AGENT_NOTIFY));
            Stats heldNoSocket = Stats.of(heldMicros.get(Variant.AGENT_NO_SOCKET));
            report.row("Main thread held at the hooked method's return (exit advice + notify), " + app.name(),
                    "no agent: " + base2.describe("%.0f µs"),
                    held.describe("%.0f µs") + "; no NOTIFY_SOCKET: " + heldNoSocket.describe("%.0f µs"),
                    String.format(Locale.ROOT, "+%.0f µs", held.median() - base2.median()), "-", "info");
        }
        if (!pollLoopDelayMillis.isEmpty()) {
            Stats poll = Stats.of(pollLoopDelayMillis);
            Stats readyAt = Stats.of(readyAfterLaunchMillis);
            double readyAfterServe = readyAt.median() - base.median();
            report.row("READY=1 after launch, " + app.name() + ", against its time to serve without the agent",
                    "no agent serves at " + base.describe("%.0f ms"),
                    "READY=1 at " + readyAt.describe("%.0f ms") + "; serves at " + notify.describe("%.0f ms"),
                    String.format(Locale.ROOT, "READY=1 %+.0f ms after the no-agent time to serve", readyAfterServe),
                    "<= 100 ms", Report.atMost(readyAfterServe, 100));
            report.row("READY vs ExecStartPost port poll every 0.5 s, " + app.name(),
                    String.format(Locale.ROOT, "poll loop: ready signalled p50 %.0f ms, p99 %.0f ms after the port"
                            + " serves (expected: uniform 0..500 ms)", poll.median(), poll.percentile(99)),
                    "agent: READY at " + readyAt.describe("%.0f ms") + " after launch",
                    "READY=1 from the hook instead of a poll", "-", "info");
        }
        budget.noteIfCut(app.name() + " startup", round, count);
        if (notifyLaunches > 0) {
            report.note(app.name() + ": STOPPING=1 arrived within 2 s of SIGTERM in " + stoppingSeen + " of "
                    + notifyLaunches + " agent launches with NOTIFY_SOCKET.");
        }
    }

    /**
     * Keeps the whole run under 10 minutes on a busy machine: a section stops starting new rounds once its
     * time is up, but always completes three rounds, and the table says when it was cut.
     */
    private final class Budget {
        private final long deadline;

        Budget(int seconds) {
            deadline = System.nanoTime() + seconds * 1_000_000_000L;
        }

        boolean allows(int round) {
            return round < 3 || System.nanoTime() < deadline;
        }

        void noteIfCut(String what, int roundsDone, int roundsWanted) {
            if (roundsDone < roundsWanted) {
                report.note(what + ": time budget used up after " + roundsDone + " of " + roundsWanted + " rounds.");
            }
        }
    }

    private static String lastOf(Map<Variant, List<Double>> series) {
        StringBuilder out = new StringBuilder();
        series.forEach((variant, values) -> {
            if (!values.isEmpty()) {
                out.append(String.format(Locale.ROOT, "%s %.0f ms; ", variant.label, values.get(values.size() - 1)));
            }
        });
        return out.toString();
    }

    // ---------------------------------------------------------------- critical path (class loading)

    /**
     * Which classes load before the application's main class (premain, on the critical path) and which the
     * agent loads afterwards (its background warm-up and first native call), from {@code -Xlog:class+load}.
     */
    private void criticalPath(SampleApp app, String mainClass) throws Exception {
        for (Variant variant : AGENT_VARIANTS) {
            runClassLog(app, mainClass, variant, null);
        }
        runClassLog(app, mainClass, Variant.NO_AGENT, emptyAgent());
    }

    /** One launch with {@code -Xlog:class+load}; {@code otherAgent} replaces sd-agent by another agent jar. */
    private void runClassLog(SampleApp app, String mainClass, Variant variant, Path otherAgent) throws Exception {
        NotifyReceiver receiver = receiverFor(variant);
        Path classLog = workDir.resolve("classes-" + variant.name() + (otherAgent == null ? "" : "-other") + ".log");
        List<String> jvmArgs = new ArrayList<>(List.of("-Xlog:class+load=info:file=" + classLog));
        if (otherAgent != null) {
            jvmArgs.add("-javaagent:" + otherAgent);
        }
        try (Launched launched = launch(app, variant, receiver, jvmArgs)) {
            launched.awaitServing(120_000);
            if (receiver != null && receiver.await("READY=1", 10_000) == null) {
                throw new IOException("no READY=1 within 10 s:\n" + launched.tail());
            }
            Thread.sleep(1000); // the agent's background work settles
        } finally {
            if (receiver != null) {
                receiver.close();
            }
        }
        int before = 0;
        int[] agentBefore = new int[3];
        int[] agentAfter = new int[3];
        boolean mainSeen = false;
        String[] prefixes = {"net.bytebuddy.", "com.sun.jna.", "io.github.sdagent."};
        for (String line : Files.readAllLines(classLog)) {
            String[] fields = line.split(" ");
            if (fields.length < 2) {
                continue;
            }
            String name = fields[1];
            if (name.equals(mainClass)) {
                mainSeen = true;
            }
            if (!mainSeen) {
                before++;
            }
            for (int i = 0; i < prefixes.length; i++) {
                if (name.startsWith(prefixes[i])) {
                    (mainSeen ? agentAfter : agentBefore)[i]++;
                }
            }
        }
        if (otherAgent != null) {
            report.row("Classes loaded before main() " + app.name() + ", an empty -javaagent (the JVM's own cost)",
                    "-", before + " classes", "what any agent costs", "-", "info");
            return;
        }
        report.row("Classes loaded before main() " + app.name() + ", " + variant.label,
                "-", before + " classes",
                variant == Variant.NO_AGENT ? "baseline"
                        : String.format(Locale.ROOT, "before main: Byte Buddy %d, JNA %d, sd-agent %d;"
                                + " after main (off the critical path): Byte Buddy %d, JNA %d, sd-agent %d",
                        agentBefore[0], agentBefore[1], agentBefore[2], agentAfter[0], agentAfter[1],
                        agentAfter[2]), "JNA 0 before main", variant == Variant.NO_AGENT ? "info"
                        : agentBefore[1] == 0 ? "met" : "missed");
    }

    // ---------------------------------------------------------------- footprint

    private void footprint(SampleApp app, int count, int budgetSeconds) throws Exception {
        Budget budget = new Budget(budgetSeconds);
        Variant[] variants = AGENT_VARIANTS;
        Map<Variant, Map<String, List<Double>>> samples = new EnumMap<>(Variant.class);
        for (Variant variant : variants) {
            samples.put(variant, new LinkedHashMap<>());
        }
        int round = 0;
        for (; round < count && budget.allows(round); round++) {
            for (int k = 0; k < variants.length; k++) {
                Variant variant = variants[Math.floorMod(round + k, variants.length)];
                NotifyReceiver receiver = receiverFor(variant);
                try (Launched launched = launch(app, variant, receiver, List.of("-XX:NativeMemoryTracking=summary"))) {
                    launched.awaitServing(120_000);
                    LoadGenerator.run(launched.port(), 2, 0, 1000);
                    Thread.sleep(1500); // let start-up work finish and the watchdog ping at least once
                    Map<String, Double> values = new LinkedHashMap<>();
                    values.put("rss", procStatusKb(launched.pid(), "VmRSS") / 1024.0);
                    Map<String, Double> gc = jstat(launched.pid(), "-gc");
                    Map<String, Double> classes = jstat(launched.pid(), "-class");
                    values.put("metaspace", gc.get("MU") / 1024.0);
                    values.put("classes", classes.get("Loaded") - classes.get("Unloaded"));
                    run(List.of(javaHome.resolve("bin/jcmd").toString(), Long.toString(launched.pid()), "GC.run"));
                    Map<String, Double> afterGc = jstat(launched.pid(), "-gc");
                    values.put("heap", (afterGc.get("S0U") + afterGc.get("S1U") + afterGc.get("EU") + afterGc.get("OU"))
                            / 1024.0);
                    nativeMemory(launched.pid()).forEach((category, mb) -> values.put("nmt:" + category, mb));
                    values.forEach((key, value) -> samples.get(variant).computeIfAbsent(key, x -> new ArrayList<>())
                            .add(value));
                } finally {
                    if (receiver != null) {
                        receiver.close();
                    }
                }
            }
            log.println("footprint round " + round + " done");
        }
        budget.noteIfCut(app.name() + " footprint", round, count);
        String[][] metrics = {
                {"rss", "RSS (VmRSS)", "%.1f MB", "<= 5 MB"},
                {"heap", "Heap used after full GC", "%.1f MB", "-"},
                {"metaspace", "Metaspace used", "%.1f MB", "-"},
                {"classes", "Loaded classes", "%.0f", "-"}};
        nativeMemoryRow(app, samples);
        for (String[] metric : metrics) {
            Stats base = Stats.of(samples.get(Variant.NO_AGENT).get(metric[0]));
            Stats notify = Stats.of(samples.get(Variant.AGENT_NOTIFY).get(metric[0]));
            Stats noSocket = Stats.of(samples.get(Variant.AGENT_NO_SOCKET).get(metric[0]));
            double delta = notify.median() - base.median();
            double deltaNoSocket = noSocket.median() - base.median();
            report.row("Footprint " + app.name() + ": " + metric[1], "no agent: " + base.describe(metric[2]),
                    notify.describe(metric[2]) + "; no NOTIFY_SOCKET: " + noSocket.describe(metric[2]),
                    String.format(Locale.ROOT, "delta " + metric[2].replace("%", "%+") + " (no socket: "
                            + metric[2].replace("%", "%+") + ")", delta, deltaNoSocket),
                    metric[3], metric[3].equals("-") ? "info" : Report.atMost(delta, 5.0));
        }
    }

    /** NMT's committed memory by category, in MB (the launch ran with -XX:NativeMemoryTracking=summary). */
    private Map<String, Double> nativeMemory(long pid) throws IOException, InterruptedException {
        Map<String, Double> committed = new LinkedHashMap<>();
        Pattern category = Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)");
        Pattern total = Pattern.compile("^Total: reserved=\\d+KB, committed=(\\d+)KB");
        for (String line : run(List.of(javaHome.resolve("bin/jcmd").toString(), Long.toString(pid),
                "VM.native_memory", "summary"))) {
            Matcher matcher = category.matcher(line.trim());
            if (matcher.find()) {
                committed.put(matcher.group(1).trim(), Long.parseLong(matcher.group(2)) / 1024.0);
            }
            matcher = total.matcher(line.trim());
            if (matcher.find()) {
                committed.put("Total", Long.parseLong(matcher.group(1)) / 1024.0);
            }
        }
        if (!committed.containsKey("Total")) {
            throw new IOException("jcmd VM.native_memory summary not understood");
        }
        return committed;
    }

    /** One row: where the RSS delta goes by NMT category, and the part NMT does not see (mapped native libraries). */
    private void nativeMemoryRow(SampleApp app, Map<Variant, Map<String, List<Double>>> samples) {
        Map<String, List<Double>> base = samples.get(Variant.NO_AGENT);
        Map<String, List<Double>> notify = samples.get(Variant.AGENT_NOTIFY);
        List<String> parts = new ArrayList<>();
        for (String key : notify.keySet()) {
            if (key.startsWith("nmt:") && !key.equals("nmt:Total") && base.containsKey(key)) {
                double delta = Stats.of(notify.get(key)).median() - Stats.of(base.get(key)).median();
                if (Math.abs(delta) >= 0.1) {
                    parts.add(String.format(Locale.ROOT, "%s %+.1f", key.substring(4), delta));
                }
            }
        }
        double nmt = Stats.of(notify.get("nmt:Total")).median() - Stats.of(base.get("nmt:Total")).median();
        double rss = Stats.of(notify.get("rss")).median() - Stats.of(base.get("rss")).median();
        report.row("Footprint " + app.name() + ": RSS delta split by NativeMemoryTracking (committed, MB)",
                "-", String.join(", ", parts),
                String.format(Locale.ROOT, "NMT total %+.1f MB; outside NMT (native libraries, page cache of the jar, "
                        + "malloc by JNA) %+.1f MB", nmt, rss - nmt), "-", "info");
    }

    private String jdkVersion() {
        try {
            for (String line : Files.readAllLines(javaHome.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return "JDK " + line.substring(13).replace("\"", "") + " (" + javaHome + ")";
                }
            }
        } catch (IOException e) {
            // fall through: an unusual JDK layout still runs the benchmarks
        }
        return javaHome.toString();
    }

    private static long procStatusKb(long pid, String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").trim());
            }
        }
        throw new IOException("no " + key + " in /proc/" + pid + "/status");
    }

    /** One {@code jstat} sample (reads the JVM's perf-data file; no attach, so it does not disturb). */
    private Map<String, Double> jstat(long pid, String option) throws IOException, InterruptedException {
        List<String> lines = run(List.of(javaHome.resolve("bin/jstat").toString(), option, Long.toString(pid)));
        String[] names = lines.get(0).trim().split("\\s+");
        String[] values = lines.get(1).trim().split("\\s+");
        Map<String, Double> result = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            // jstat -class repeats "Bytes"; the first of each name is the one we use.
            result.putIfAbsent(names[i], values[i].equals("-") ? 0 : Double.parseDouble(values[i]));
        }
        return result;
    }

    private static List<String> run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output.lines().toList();
    }

    // ---------------------------------------------------------------- steady state

    private void steadyState(SampleApp app, int count, int budgetSeconds) throws Exception {
        Budget budget = new Budget(budgetSeconds);
        Map<Variant, List<Double>> rates = new EnumMap<>(Variant.class);
        Variant[] pair = {Variant.NO_AGENT, Variant.AGENT_NOTIFY};
        int round = 0;
        for (; round < count && budget.allows(round); round++) {
            for (int k = 0; k < pair.length; k++) {
                Variant variant = pair[(round + k) % pair.length];
                NotifyReceiver receiver = receiverFor(variant);
                try (Launched launched = launch(app, variant, receiver)) {
                    launched.awaitServing(120_000);
                    double rate = LoadGenerator.run(launched.port(), 4, 3000, 5000);
                    rates.computeIfAbsent(variant, x -> new ArrayList<>()).add(rate);
                    log.printf(Locale.ROOT, "steady %s: %.0f req/s%n", variant.label, rate);
                } finally {
                    if (receiver != null) {
                        receiver.close();
                    }
                }
            }
        }
        budget.noteIfCut(app.name() + " steady state", round, count);
        Stats base = Stats.of(rates.get(Variant.NO_AGENT));
        Stats agent = Stats.of(rates.get(Variant.AGENT_NOTIFY));
        double ratio = agent.median() / base.median();
        report.row("Steady state " + app.name() + ": req/s, 4 keep-alive connections, 5 s after 3 s warm-up",
                "no agent: " + base.describe("%.0f"), agent.describe("%.0f") + " (watchdog pinging every 1 s)",
                String.format(Locale.ROOT, "ratio %.3f", ratio), "~1.00",
                Math.abs(ratio - 1) <= 0.03 ? "met (within 3%)"
                        : String.format(Locale.ROOT, "off by %+.1f%%", (ratio - 1) * 100));
    }

    // ---------------------------------------------------------------- notify cost (JMH)

    private void notifyCost() throws Exception {
        Path results = workDir.resolve("jmh-results.txt");
        Path jmhLog = workDir.resolve("jmh.log");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                JmhMain.class.getName(), results.toString()).redirectErrorStream(true).redirectOutput(jmhLog.toFile());
        SampleApp.SYSTEMD_VARIABLES.forEach(builder.environment()::remove);
        builder.environment().put("NOTIFY_SOCKET", workDir.resolve("jmh-notify.sock").toString());
        Process process = builder.start();
        if (!process.waitFor(6, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("JMH did not finish within 6 minutes; see " + jmhLog);
        }
        String output = System.getProperty("bench.output");
        if (output != null) { // JMH's own report, kept next to the table
            Files.copy(jmhLog, Path.of(output).resolveSibling("bench-jmh.log"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        Map<String, double[]> scores = new LinkedHashMap<>();
        if (Files.exists(results)) {
            for (String line : Files.readAllLines(results)) {
                String[] parts = line.split(" ");
                scores.put(parts[0], new double[] {Double.parseDouble(parts[1]), Double.parseDouble(parts[2]),
                        Double.parseDouble(parts[3]), Double.parseDouble(parts[4])});
            }
        }
        log.println(String.join("\n", Files.readAllLines(jmhLog).stream()
                .filter(line -> line.startsWith("NotifyBenchmark") || line.startsWith("Benchmark")
                        || line.contains("ERROR") || line.contains("Exception")).toList()));
        double[] daemon = scores.get("daemonNotify");
        double[] raw = scores.get("rawSendmsg");
        double[] spawn = scores.get("systemdNotify");
        if (daemon == null || raw == null) {
            throw new IOException("JMH produced no score for " + (daemon == null ? "daemonNotify" : "rawSendmsg")
                    + "; see " + jmhLog + ":\n" + tail(jmhLog, 30));
        }
        report.row("Notify cost (JMH): Daemon.notify(false, \"WATCHDOG=1\")",
                "raw sendmsg via JNA: " + describeScore(raw), describeScore(daemon),
                String.format(Locale.ROOT, "ratio of best iterations %.2f (of medians %.2f)", daemon[1] / raw[1],
                        daemon[0] / raw[0]), "<= 1.5x raw", Report.atMost(daemon[1] / raw[1], 1.5));
        // Other processes only ever add time to an iteration, so the best of 10 one-second iterations is the
        // estimate of the code's own cost; the median shows how much a busy machine adds.
        if (spawn != null) {
            report.row("Notify cost (JMH): systemd-notify WATCHDOG=1 (process spawn, waits for the barrier)",
                    "raw sendmsg via JNA: " + describeScore(raw), "systemd-notify: " + describeScore(spawn),
                    String.format(Locale.ROOT, "ratio %.0f (Daemon.notify is %.0fx cheaper)", spawn[0] / raw[0],
                            spawn[0] / daemon[0]), "-", "info");
        }
    }

    private static String describeScore(double[] score) {
        double median = score[0];
        if (median > 100_000) {
            return String.format(Locale.ROOT, "%.2f ms/op (%.2f..%.2f, n=%.0f iterations)", median / 1e6,
                    score[1] / 1e6, score[2] / 1e6, score[3]);
        }
        return String.format(Locale.ROOT, "%.0f ns/op (%.0f..%.0f, n=%.0f iterations)", median, score[1], score[2],
                score[3]);
    }

    private static String tail(Path file, int lines) throws IOException {
        List<String> all = Files.readAllLines(file);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
