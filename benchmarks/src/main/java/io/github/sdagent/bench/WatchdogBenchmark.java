package io.github.sdagent.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Issue 10: what the health checks cost and how fast they act. One JVM per configuration of checks
 * ({@link Checks}), all launched together and alike: {@code WatchdogSubject} with {@value #THREADS} idle application
 * threads, the agent with {@code WATCHDOG_USEC=2000000} (a ping and a health round every second) and a
 * {@link NotifyReceiver} as NOTIFY_SOCKET.
 *
 * <p>CPU per round: the check threads ({@code sd-agent-health}, and {@code sd-agent-health-call} for the method
 * check: the kernel cuts both names to the same 15 characters) are sampled every {@value #POLL_MILLIS} ms through
 * {@code /proc/PID/task/TID/schedstat} (nanoseconds on the CPU); a round is one burst of CPU between idle samples, so
 * every round is one sample. {@code findDeadlockedThreads} does its search in a safepoint operation on the JVM's
 * {@code VM Thread}, not on the check thread, so the whole process's CPU and the VM Thread's are set against the same
 * JVM with the checks off, measured alongside.
 *
 * <p>Detection latency: from the subject's stamp (its nanoTime once a deadlock exists, or once its health method
 * returns false and /health answers 503) to the receiver's stamp on {@code WATCHDOG=trigger}; and from "healthy
 * again" to the agent's {@code STATUS=Healthy again}. Both clocks are CLOCK_MONOTONIC (BenchMain's clock check).
 */
final class WatchdogBenchmark {
    static final String SUBJECT = "io.github.sdagent.bench.app.WatchdogSubject";
    static final int THREADS = 200;
    /** WatchdogSec=2: a ping every second, and a health round every second (the agent's most frequent). */
    private static final long WATCHDOG_USEC = 2_000_000L;
    /** READY, health-grace=1s and the first rounds (class loading, the MXBeans, the first probe) are left out. */
    private static final long WARM_UP_MILLIS = 4_000;
    private static final long POLL_MILLIS = 100;
    /** Fail-and-recover cycles of each probe per launch. */
    private static final int FAIL_CYCLES = 3;

    private enum Checks {
        NONE("checks off", "deadlock-check=off,gc-overhead=off"),
        DEFAULTS("deadlock + GC overhead (the defaults)", ""),
        METHOD("defaults + health method", "health=" + SUBJECT + "#isHealthy,health-grace=1s"),
        HTTP("defaults + HTTP probe", "health=http://127.0.0.1:{port}/health,health-grace=1s");

        final String label;
        final String options;

        Checks(String label, String options) {
            this.label = label;
            this.options = options;
        }
    }

    private final Path java;
    private final Path agentJar;
    private final Path workDir;
    private final Report report;
    private final PrintStream log;
    private final int launches;
    private final int measureSeconds;

    private final Map<Checks, List<Double>> roundMicros = new EnumMap<>(Checks.class);
    private final Map<Checks, List<Double>> processMicrosPerSecond = new EnumMap<>(Checks.class);
    private final Map<Checks, List<Double>> vmThreadMicrosPerSecond = new EnumMap<>(Checks.class);
    private final List<Double> deadlockMillis = new ArrayList<>();
    private final List<Double> methodMillis = new ArrayList<>();
    private final List<Double> httpMillis = new ArrayList<>();
    private final List<Double> recoveryMillis = new ArrayList<>();
    private final List<Integer> jvmThreads = new ArrayList<>();

    WatchdogBenchmark(Path java, Path agentJar, Path workDir, Report report, PrintStream log, int launches,
                      int measureSeconds) {
        this.java = java;
        this.agentJar = agentJar;
        this.workDir = workDir;
        this.report = report;
        this.log = log;
        this.launches = launches;
        this.measureSeconds = measureSeconds;
        for (Checks checks : Checks.values()) {
            roundMicros.put(checks, new ArrayList<>());
            processMicrosPerSecond.put(checks, new ArrayList<>());
            vmThreadMicrosPerSecond.put(checks, new ArrayList<>());
        }
    }

    void run() throws Exception {
        for (int launch = 1; launch <= launches; launch++) {
            Map<Checks, Subject> subjects = new EnumMap<>(Checks.class);
            try {
                for (Checks checks : Checks.values()) {
                    subjects.put(checks, new Subject(checks, launch));
                }
                for (Subject subject : subjects.values()) {
                    subject.awaitReady();
                }
                Thread.sleep(WARM_UP_MILLIS);
                measureCpu(subjects);
                failAndRecover(subjects.get(Checks.METHOD), methodMillis, "STATUS=Unhealthy: health check " + SUBJECT);
                failAndRecover(subjects.get(Checks.HTTP), httpMillis, "STATUS=Unhealthy: HTTP probe http://127.0.0.1:");
                for (Checks checks : new Checks[] {Checks.DEFAULTS, Checks.METHOD, Checks.HTTP}) {
                    deadlock(subjects.get(checks));
                }
            } finally {
                for (Subject subject : subjects.values()) {
                    subject.close();
                }
            }
            log.printf(Locale.ROOT, "watchdog launch %d: rounds %s; deadlock %s ms, method %s ms, HTTP %s ms%n", launch,
                    roundMicros.get(Checks.DEFAULTS).size(), deadlockMillis, methodMillis, httpMillis);
        }
        report();
    }

    /** Samples the check threads every POLL_MILLIS for measureSeconds; the process and VM Thread at both ends. */
    private void measureCpu(Map<Checks, Subject> subjects) throws Exception {
        Map<Checks, long[]> start = new EnumMap<>(Checks.class);
        Map<Checks, Long> last = new EnumMap<>(Checks.class);
        Map<Checks, Long> burst = new EnumMap<>(Checks.class);
        Map<Checks, Boolean> cut = new EnumMap<>(Checks.class);
        for (Map.Entry<Checks, Subject> entry : subjects.entrySet()) {
            Subject subject = entry.getValue();
            subject.findThreads();
            start.put(entry.getKey(), new long[] {subject.processNanos(), subject.vmThreadNanos()});
            last.put(entry.getKey(), subject.checkNanos());
            burst.put(entry.getKey(), 0L);
            cut.put(entry.getKey(), true); // a burst under way at the start is only the end of a round
        }
        long begin = System.nanoTime();
        long end = begin + TimeUnit.SECONDS.toNanos(measureSeconds);
        while (System.nanoTime() < end) {
            Thread.sleep(POLL_MILLIS);
            for (Map.Entry<Checks, Subject> entry : subjects.entrySet()) {
                Checks checks = entry.getKey();
                long now = entry.getValue().checkNanos();
                long delta = now - last.get(checks);
                last.put(checks, now);
                if (delta > 0) {
                    burst.merge(checks, delta, Long::sum);
                } else {
                    if (burst.get(checks) > 0 && !cut.get(checks)) {
                        roundMicros.get(checks).add(burst.get(checks) / 1e3);
                    }
                    burst.put(checks, 0L);
                    cut.put(checks, false);
                }
            }
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        for (Map.Entry<Checks, Subject> entry : subjects.entrySet()) {
            long[] before = start.get(entry.getKey());
            Subject subject = entry.getValue();
            processMicrosPerSecond.get(entry.getKey()).add((subject.processNanos() - before[0]) / 1e3 / seconds);
            vmThreadMicrosPerSecond.get(entry.getKey()).add((subject.vmThreadNanos() - before[1]) / 1e3 / seconds);
            jvmThreads.add(subject.threadCount());
        }
    }

    /** Cycles of fail -> WATCHDOG=trigger (the STATUS naming the cause before it) -> ok -> STATUS=Healthy again. */
    private void failAndRecover(Subject subject, List<Double> latencies, String statusPrefix) throws Exception {
        for (int cycle = 1; cycle <= FAIL_CYCLES; cycle++) {
            subject.command("fail");
            long failed = subject.printedNanos("FAIL_NANOS", cycle);
            NotifyReceiver.Datagram status = subject.receiver.awaitLine(statusPrefix, failed, 30_000);
            NotifyReceiver.Datagram trigger = subject.receiver.awaitLine("WATCHDOG=trigger", failed, 5_000);
            if (status == null || trigger == null) {
                throw new IOException(subject.checks.label + ": no '" + statusPrefix + "' and WATCHDOG=trigger within 30 s"
                        + " of the check failing; received " + subject.receiver.messages() + "\n" + subject.tail());
            }
            latencies.add((trigger.nanos() - failed) / 1e6);
            subject.command("ok");
            long healthy = subject.printedNanos("OK_NANOS", cycle);
            NotifyReceiver.Datagram again = subject.receiver.awaitLine("STATUS=Healthy again after ", healthy, 30_000);
            if (again == null) {
                throw new IOException(subject.checks.label + ": no STATUS=Healthy again within 30 s of recovering\n"
                        + subject.tail());
            }
            recoveryMillis.add((again.nanos() - healthy) / 1e6);
        }
    }

    private void deadlock(Subject subject) throws Exception {
        subject.command("deadlock");
        long deadlocked = subject.printedNanos("DEADLOCK_NANOS", 1);
        NotifyReceiver.Datagram trigger = subject.receiver.awaitLine("WATCHDOG=trigger", deadlocked, 30_000);
        NotifyReceiver.Datagram status = subject.receiver.awaitLine(
                "STATUS=Unhealthy: deadlock between \"worker-", deadlocked, 1_000);
        if (trigger == null || status == null) {
            throw new IOException(subject.checks.label + ": no STATUS=Unhealthy: deadlock and WATCHDOG=trigger within 30 s"
                    + " of a deadlock; received " + subject.receiver.messages() + "\n" + subject.tail());
        }
        deadlockMillis.add((trigger.nanos() - deadlocked) / 1e6);
    }

    private void report() {
        Stats baseProcess = Stats.of(processMicrosPerSecond.get(Checks.NONE));
        Stats baseVm = Stats.of(vmThreadMicrosPerSecond.get(Checks.NONE));
        Stats threads = Stats.of(jvmThreads);
        for (Checks checks : new Checks[] {Checks.DEFAULTS, Checks.METHOD, Checks.HTTP}) {
            Stats rounds = Stats.of(roundMicros.get(checks));
            Stats process = Stats.of(processMicrosPerSecond.get(checks));
            Stats vm = Stats.of(vmThreadMicrosPerSecond.get(checks));
            report.row(String.format(Locale.ROOT, "Watchdog: CPU per health-check round, %s; %d application threads"
                            + " (%.0f in the JVM), a round a second", checks.label, THREADS, threads.median()),
                    String.format(Locale.ROOT, "%s: whole process %.0f µs/s, VM Thread %.0f µs/s (medians of %d launches)",
                            Checks.NONE.label, baseProcess.median(), baseVm.median(), baseProcess.n()),
                    String.format(Locale.ROOT, "check threads %s per round, max %.0f µs; whole process %.0f µs/s, VM Thread"
                            + " %.0f µs/s", rounds.describe("%.0f µs"), rounds.max(), process.median(), vm.median()),
                    String.format(Locale.ROOT, "check threads %.3f %% of one core; process CPU %.2fx checks off (%+.0f µs/s,"
                                    + " of which VM Thread %+.0f: the deadlock search's safepoint)",
                            rounds.median() / 1e4, process.median() / baseProcess.median(),
                            process.median() - baseProcess.median(), vm.median() - baseVm.median()),
                    "-", "info");
        }
        latencyRow("deadlock created -> WATCHDOG=trigger received", deadlockMillis,
                "expected: up to one round interval (1 s)");
        latencyRow("health method returns false -> WATCHDOG=trigger (health-failures=3)", methodMillis,
                "expected: 2 to 3 s (three failing rounds a second apart)");
        latencyRow("/health answers 503 -> WATCHDOG=trigger (health-failures=3)", httpMillis,
                "expected: 2 to 3 s (three failing rounds a second apart)");
        latencyRow("probe healthy again -> STATUS=Healthy again", recoveryMillis, "expected: up to one round interval (1 s)");
    }

    private void latencyRow(String what, List<Double> millis, String expected) {
        Stats stats = Stats.of(millis);
        report.row("Watchdog: detection latency, " + what + ", WatchdogSec=2", "-",
                String.format(Locale.ROOT, "median %.0f ms, max %.0f ms, min %.0f ms (n=%d)", stats.median(), stats.max(),
                        stats.min(), stats.n()),
                expected, "-", "info");
    }

    private static String classesDir() {
        try {
            return Path.of(io.github.sdagent.bench.app.WatchdogSubject.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate this module's classes", e);
        }
    }

    /** One launched subject JVM with its receiver, its output file and its stdin for commands. */
    private final class Subject implements AutoCloseable {
        final Checks checks;
        final NotifyReceiver receiver;
        final Path output;
        final Process process;
        final Writer commands;
        final List<Path> checkThreads = new ArrayList<>();
        Path vmThread;

        Subject(Checks checks, int launch) throws IOException {
            this.checks = checks;
            String name = "watchdog-" + checks.name().toLowerCase(Locale.ROOT) + "-" + launch;
            receiver = NotifyReceiver.bind(workDir.resolve(name + ".sock").toString());
            output = workDir.resolve(name + ".log");
            int port = SampleApp.freePort();
            String options = "ready=" + SUBJECT + "#ready"
                    + (checks.options.isEmpty() ? "" : "," + checks.options.replace("{port}", Integer.toString(port)));
            ProcessBuilder builder = new ProcessBuilder(java.toString(), "-javaagent:" + agentJar + "=" + options,
                    "-cp", classesDir(), SUBJECT, Integer.toString(port), Integer.toString(THREADS))
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            SampleApp.SYSTEMD_VARIABLES.forEach(builder.environment()::remove);
            builder.environment().put("NOTIFY_SOCKET", receiver.path());
            builder.environment().put("WATCHDOG_USEC", Long.toString(WATCHDOG_USEC));
            process = builder.start();
            commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        void awaitReady() throws Exception {
            if (receiver.await("READY=1", 60_000) == null) {
                throw new IOException(checks.label + ": no READY=1 within 60 s\n" + tail());
            }
        }

        /**
         * Sends a command at a random moment within the next second: the previous command's effect was seen at a
         * round, so without this every command would fall at the same phase of the round schedule.
         */
        void command(String command) throws IOException, InterruptedException {
            Thread.sleep(ThreadLocalRandom.current().nextInt(1000));
            commands.write(command + "\n");
            commands.flush();
        }

        /** The value of the n-th {@code KEY=nanos} line the subject printed, waiting up to 10 s for it. */
        long printedNanos(String key, int n) throws Exception {
            long deadline = System.currentTimeMillis() + 10_000;
            do {
                int seen = 0;
                for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
                    if (line.startsWith(key + "=") && ++seen == n) {
                        return Long.parseLong(line.substring(key.length() + 1).trim());
                    }
                }
                Thread.sleep(5);
            } while (System.currentTimeMillis() < deadline);
            throw new IOException(checks.label + ": no " + key + " #" + n + "\n" + tail());
        }

        /** The check threads and the VM Thread, by the names the kernel shows (15 characters at most). */
        void findThreads() throws IOException {
            checkThreads.clear();
            for (Path task : tasks()) {
                String name = Files.readString(task.resolve("comm")).trim();
                if (name.startsWith("sd-agent-health")) {
                    checkThreads.add(task);
                } else if (name.equals("VM Thread")) {
                    vmThread = task;
                }
            }
            if (checks != Checks.NONE && checkThreads.isEmpty()) {
                throw new IOException(checks.label + ": no sd-agent-health thread\n" + tail());
            }
            if (checks == Checks.NONE && !checkThreads.isEmpty()) {
                throw new IOException(checks.label + ": an sd-agent-health thread runs with the checks off");
            }
        }

        long checkNanos() throws IOException {
            long sum = 0;
            for (Path task : checkThreads) {
                sum += cpuNanos(task);
            }
            return sum;
        }

        long vmThreadNanos() throws IOException {
            return vmThread == null ? 0 : cpuNanos(vmThread);
        }

        /** All live threads (a thread that ended since the first sample takes its CPU with it: rare here, all idle). */
        long processNanos() throws IOException {
            long sum = 0;
            for (Path task : tasks()) {
                try {
                    sum += cpuNanos(task);
                } catch (IOException ended) {
                    // ended between listing and reading
                }
            }
            return sum;
        }

        int threadCount() throws IOException {
            return tasks().size();
        }

        private List<Path> tasks() throws IOException {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
                return tasks.toList();
            }
        }

        /** The first field of schedstat: time on the CPU, in nanoseconds. */
        private long cpuNanos(Path task) throws IOException {
            String schedstat = Files.readString(task.resolve("schedstat"));
            return Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
        }

        String tail() throws IOException {
            List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        }

        @Override
        public void close() throws Exception {
            try {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } finally {
                receiver.close();
            }
        }
    }
}
