package io.github.sdagent.agent.watchdog;

import java.util.Map;

/**
 * A forking wrapper (sh runs java without exec) gets WATCHDOG_PID set to the wrapper's pid, so
 * sd_watchdog_enabled semantics say "not for us". Once the JVM has told systemd MAINPID=itself, the watchdog is
 * the JVM's job: accept WATCHDOG_USEC when WATCHDOG_PID names our parent, the wrapper.
 */
public final class WrapperWatchdog {

    private WrapperWatchdog() {
    }

    public static long inheritedUsec(Map<String, String> env, long parentPid) {
        String usec = env.get("WATCHDOG_USEC");
        String pid = env.get("WATCHDOG_PID");
        if (usec == null || pid == null) {
            return 0;
        }
        try {
            long value = Long.parseLong(usec.trim());
            return Long.parseLong(pid.trim()) == parentPid && value > 0 ? value : 0;
        } catch (NumberFormatException garbage) {
            return 0; // Daemon.watchdogEnabled reports malformed values
        }
    }
}
