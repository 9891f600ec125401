package io.github.sdagent.agent;

import java.lang.instrument.Instrumentation;

/**
 * Keeps systemd's per-service variables away from the processes the application starts: advice on
 * {@code java.lang.ProcessBuilder}'s start methods (which {@code Runtime.exec} uses too) removes NOTIFY_SOCKET,
 * WATCHDOG_USEC, WATCHDOG_PID, LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES from the child's environment.
 */
public final class ChildEnvironment {

    private ChildEnvironment() {
    }

    public static void install(Instrumentation inst) {
        // Implementation follows in the next commit.
    }
}
