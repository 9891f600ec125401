package io.github.sdagent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time a process has used so far, from /proc: all threads, the threads named "java" (the launcher's threads, one
 * of which runs the application's main()), and all of it split by thread group ({@link #GROUPS}). On this 2-core
 * machine the agent's work on its own threads and the JIT compiling it compete with the application's start-up, so
 * this explains the wall-clock ratios.
 */
record ProcCpu(double processMillis, double mainThreadMillis, Map<String, Double> byGroup) {

    /** Linux's USER_HZ: /proc reports CPU time in these ticks on every mainstream kernel configuration. */
    private static final double MILLIS_PER_TICK = 10.0;

    /**
     * The thread groups of {@link #byGroup}, in report order. "exited threads" is the process's total minus its live
     * threads: threads that ran and ended before the sample, for the agent its start-up thread "sd-agent-start".
     */
    static final String[] GROUPS = {"main thread (java)", "sd-agent", "sd-agent-hooks", "exited threads",
            "JIT C1", "JIT C2", "GC", "other threads"};

    static ProcCpu of(long pid) throws IOException {
        double process = ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) * MILLIS_PER_TICK;
        Map<String, Double> groups = new LinkedHashMap<>();
        for (String group : GROUPS) {
            groups.put(group, 0.0);
        }
        double live = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException exited) {
                    continue;
                }
                double millis = ticks(stat) * MILLIS_PER_TICK;
                live += millis;
                groups.merge(groupOf(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))), millis, Double::sum);
            }
        }
        groups.put("exited threads", Math.max(0, process - live));
        return new ProcCpu(process, groups.get("main thread (java)"), groups);
    }

    /** Thread names as /proc shows them (at most 15 characters). */
    static String groupOf(String name) {
        if (name.equals("java")) {
            return "main thread (java)";
        }
        if (name.equals("sd-agent") || name.equals("sd-agent-hooks")) {
            return name;
        }
        if (name.startsWith("C1 CompilerThre")) {
            return "JIT C1";
        }
        if (name.startsWith("C2 CompilerThre")) {
            return "JIT C2";
        }
        if (name.startsWith("GC ") || name.startsWith("G1 ")) {
            return "GC";
        }
        return "other threads";
    }

    /** utime + stime: fields 14 and 15 of stat, counted after the parenthesised command name. */
    private static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
