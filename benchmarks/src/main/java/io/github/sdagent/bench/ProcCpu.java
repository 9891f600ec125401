package io.github.sdagent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time a process has used so far, from /proc: all threads, and the threads named "java" (the launcher's
 * threads, one of which runs the application's main()). On this 2-core machine the agent's work on its own threads
 * and the JIT compiling it compete with the application's start-up, so this explains the wall-clock ratios.
 */
record ProcCpu(double processMillis, double mainThreadMillis) {

    /** Linux's USER_HZ: /proc reports CPU time in these ticks on every mainstream kernel configuration. */
    private static final double MILLIS_PER_TICK = 10.0;

    static ProcCpu of(long pid) throws IOException {
        double process = ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) * MILLIS_PER_TICK;
        double main = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException exited) {
                    continue;
                }
                if (stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).equals("java")) {
                    main += ticks(stat) * MILLIS_PER_TICK;
                }
            }
        }
        return new ProcCpu(process, main);
    }

    /** utime + stime: fields 14 and 15 of stat, counted after the parenthesised command name. */
    private static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
