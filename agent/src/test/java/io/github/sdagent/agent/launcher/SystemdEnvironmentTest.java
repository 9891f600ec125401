package io.github.sdagent.agent.launcher;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SystemdEnvironmentTest {

    @Test
    void notifySocketMeansUnderSystemd() {
        assertTrue(new SystemdEnvironment(Map.of("NOTIFY_SOCKET", "/run/systemd/notify"), 10).isUnderSystemd());
        assertFalse(new SystemdEnvironment(Map.of("NOTIFY_SOCKET", ""), 10).isUnderSystemd());
        assertFalse(new SystemdEnvironment(Map.of(), 10).isUnderSystemd());
    }

    @Test
    void listenFdsOnlyForThisPid() {
        assertTrue(new SystemdEnvironment(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "10"), 10).isUnderSystemd());
        assertFalse(new SystemdEnvironment(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "11"), 10).isUnderSystemd());
        assertFalse(new SystemdEnvironment(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "garbage"), 10).isUnderSystemd());
        assertFalse(new SystemdEnvironment(Map.of("LISTEN_FDS", "1"), 10).isUnderSystemd());
    }

    @Test
    void ownPidComesFromProc() {
        String pid = Long.toString(ProcessHandle.current().pid());
        assertTrue(new SystemdEnvironment(Map.of("LISTEN_FDS", "1", "LISTEN_PID", pid), -1).isUnderSystemd());
    }
}
