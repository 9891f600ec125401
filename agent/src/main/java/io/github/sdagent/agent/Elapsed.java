package io.github.sdagent.agent;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;

/**
 * Time since the JVM process started, for "Ready in 2.31 s". The platform MBean server (RuntimeMXBean) must not be
 * touched during premain, so the process's age at premain comes from /proc: its start time in clock ticks since
 * boot (/proc/self/stat field 22, USER_HZ = 100 on Linux) against /proc/uptime. Where /proc cannot be read, time
 * counts from premain.
 */
/** Not final: tests fix the clock. */
class Elapsed {

    private static final long USER_HZ = 100;

    private final long premainNanos;
    private final long ageAtPremainNanos;

    Elapsed(long premainNanos, long ageAtPremainNanos) {
        this.premainNanos = premainNanos;
        this.ageAtPremainNanos = ageAtPremainNanos;
    }

    static Elapsed sinceProcessStart(long premainNanos) {
        long age = 0;
        try {
            String stat = new String(Files.readAllBytes(Paths.get("/proc/self/stat")), StandardCharsets.US_ASCII);
            String uptime = new String(Files.readAllBytes(Paths.get("/proc/uptime")), StandardCharsets.US_ASCII);
            age = processAgeNanos(stat, uptime);
        } catch (Exception unreadable) {
            // count from premain
        }
        return new Elapsed(premainNanos, age);
    }

    /** uptime minus start time; 0 when either text is malformed or the result is not plausible. */
    static long processAgeNanos(String stat, String uptime) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long startTicks = Long.parseLong(fields[19]); // field 22; fields[0] is field 3 (state)
        String up = uptime.trim();
        int space = up.indexOf(' ');
        double upSeconds = Double.parseDouble(space < 0 ? up : up.substring(0, space));
        long age = (long) (upSeconds * 1e9) - startTicks * (1_000_000_000L / USER_HZ);
        return age >= 0 && age < 3_600_000_000_000L ? age : 0;
    }

    Duration now() {
        return Duration.ofNanos(ageAtPremainNanos + System.nanoTime() - premainNanos);
    }
}
