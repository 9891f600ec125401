package io.github.sdagent.agent.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;

/**
 * The cheap "are we under systemd?" test run in premain: environment variables only, no native code. Under
 * systemd means NOTIFY_SOCKET is set, or LISTEN_FDS is set with LISTEN_PID naming this process.
 */
final class SystemdEnvironment {

    private final Map<String, String> env;
    private final long pid;

    SystemdEnvironment(Map<String, String> env, long pid) {
        this.env = env;
        this.pid = pid;
    }

    static SystemdEnvironment fromProcess() {
        return new SystemdEnvironment(System.getenv(), -1);
    }

    boolean isUnderSystemd() {
        String socket = env.get("NOTIFY_SOCKET");
        if (socket != null && !socket.isEmpty()) {
            return true;
        }
        return passedSockets();
    }

    /** LISTEN_FDS is set and LISTEN_PID names this process: systemd passed sockets to this JVM. */
    boolean passedSockets() {
        String fds = env.get("LISTEN_FDS");
        String listenPid = env.get("LISTEN_PID");
        if (fds == null || listenPid == null) {
            return false;
        }
        try {
            return Long.parseLong(listenPid.trim()) == pid();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private long pid() {
        if (pid >= 0) {
            return pid;
        }
        try { // Java 8 API has no ProcessHandle; /proc/self is the kernel's answer
            return Long.parseLong(Files.readSymbolicLink(Paths.get("/proc/self")).toString());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
