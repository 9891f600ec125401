package io.github.sdagent.agent.lifecycle;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Time since the JVM process started, for "Ready in 2.31 s". The platform MBean server (RuntimeMXBean) must not be
 * touched during premain, so the process's age at premain comes from /proc: its start time in clock ticks since
 * boot (/proc/self/stat field 22, USER_HZ = 100 on Linux) against /proc/uptime. Where /proc cannot be read, time
 * counts from premain.
 */
/** Not final: tests fix the clock. */
public class Elapsed {

    private static final long USER_HZ = 100;

    private final long premainNanos;
    private final long ageAtPremainNanos;

    Elapsed(long premainNanos, long ageAtPremainNanos) {
        this.premainNanos = premainNanos;
        this.ageAtPremainNanos = ageAtPremainNanos;
    }

    public static Elapsed sinceProcessStart(long premainNanos) {
        long age = 0;
        try {
            age = processAgeNanos(read("/proc/self/stat"), read("/proc/uptime"));
        } catch (Exception unreadable) {
            // count from premain
        }
        return new Elapsed(premainNanos, age);
    }

    /**
     * A small /proc file. FileInputStream, not Files/Paths: those load some 30 NIO channel classes on the agent's start
     * path, the stream's classes are loaded at JVM start already. Also ProcessInfo's reader, for the same reason.
     */
    public static String read(String procFile) throws IOException {
        try (FileInputStream in = new FileInputStream(procFile)) {
            byte[] buffer = new byte[4096];
            int length = 0;
            for (int n; length < buffer.length && (n = in.read(buffer, length, buffer.length - length)) > 0; ) {
                length += n;
            }
            return new String(buffer, 0, length, StandardCharsets.US_ASCII);
        }
    }

    /** uptime minus start time; 0 when either text is malformed or the result is not plausible. */
    public static long processAgeNanos(String stat, String uptime) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long startTicks = Long.parseLong(fields[19]); // field 22; fields[0] is field 3 (state)
        String up = uptime.trim();
        int space = up.indexOf(' ');
        long age = decimalSecondsToNanos(space < 0 ? up : up.substring(0, space))
                - startTicks * (1_000_000_000L / USER_HZ);
        return age >= 0 && age < 3_600_000_000_000L ? age : 0;
    }

    /** "12345.67" seconds as nanoseconds, without Double.parseDouble (whose FloatingDecimal classes premain would load). */
    static long decimalSecondsToNanos(String text) {
        int dot = text.indexOf('.');
        long seconds = Long.parseLong(dot < 0 ? text : text.substring(0, dot));
        long nanos = 0;
        if (dot >= 0) {
            String fraction = (text.substring(dot + 1) + "000000000").substring(0, 9);
            nanos = Long.parseLong(fraction);
        }
        return seconds * 1_000_000_000L + nanos;
    }

    public Duration now() {
        return Duration.ofNanos(ageAtPremainNanos + System.nanoTime() - premainNanos);
    }
}
