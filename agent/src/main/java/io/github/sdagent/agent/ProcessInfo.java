package io.github.sdagent.agent;

import io.github.sdagent.agent.lifecycle.Elapsed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;

/** This process's pid and parent from /proc (Java 8 has no ProcessHandle; no native code needed). */
final class ProcessInfo {

    private ProcessInfo() {
    }

    static long pid() throws IOException {
        return Long.parseLong(Files.readSymbolicLink(Paths.get("/proc/self")).toString());
    }

    static long parentPid() throws IOException {
        return parentPidFromStat(read("/proc/self/stat"));
    }

    static long parentPidFromStat(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(fields[1]); // field 4
    }

    static String command(long pid) throws IOException {
        return read("/proc/" + pid + "/comm").trim();
    }

    /**
     * Whether the JVM looks like the child of a wrapper that forked it (rather than exec'ing it): its parent is
     * neither a service manager ("systemd", the system or a user instance) nor pid 0/1 (a container's init).
     */
    static boolean startedByWrapper() {
        try {
            long parent = parentPid();
            return parent > 1 && !"systemd".equals(command(parent));
        } catch (IOException | RuntimeException unknown) {
            return false;
        }
    }

    /**
     * The pid systemd started for the service ({@code SYSTEMD_EXEC_PID}, systemd 248+), or 0 when not set or not a
     * number (older systemd, not started by systemd).
     */
    static long systemdExecPid(String variable) {
        if (variable == null) {
            return 0;
        }
        try {
            return Long.parseLong(variable.trim());
        } catch (NumberFormatException garbage) {
            return 0;
        }
    }

    /** Elapsed's FileInputStream reader: Files.readAllBytes loaded 25 NIO channel classes on the start path (14 ms). */
    private static String read(String path) throws IOException {
        return Elapsed.read(path);
    }
}
