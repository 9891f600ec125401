package io.github.sdagent.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LISTEN_* and WATCHDOG_* handling in-process (sd_listen_fds / sd_watchdog_enabled semantics): mismatched
 * pids, garbage, zero, unset. Real descriptors passed by systemd are covered by {@link SocketActivationTest}
 * and {@link SystemdManagerTest}.
 */
class EnvironmentVariablesTest extends TestEnvironment {
    private static final String OUR_PID = Long.toString(ProcessHandle.current().pid());
    private static final String OTHER_PID = Long.toString(ProcessHandle.current().pid() + 1);

    @Test
    void nothingSetMeansNoDescriptorsAndNoWatchdog() {
        assertEquals(0, Daemon.listenFds(false));
        assertEquals(List.of(), Daemon.listenFdNames());
        assertEquals(0, Daemon.watchdogEnabled(false));
        assertFalse(Daemon.underSystemd());
    }

    @Test
    void listenPidOfAnotherProcessMeansTheDescriptorsAreNotOurs() {
        env.put("LISTEN_PID", OTHER_PID);
        env.put("LISTEN_FDS", "2");
        assertEquals(0, Daemon.listenFds(false));
        assertEquals(List.of(), Daemon.listenFdNames());
        assertFalse(Daemon.underSystemd());
        env.remove("LISTEN_PID");
        assertEquals(0, Daemon.listenFds(false), "LISTEN_FDS without LISTEN_PID is not for us");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "-1", "0", "+5", " 5", "5 ", "99999999999999999999", "1.0"})
    void listenPidGarbageIsAClearError(String value) {
        env.put("LISTEN_PID", value);
        env.put("LISTEN_FDS", "1");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Daemon.listenFds(false));
        assertEquals("LISTEN_PID=\"" + value + "\" is malformed: allowed is a process id (a positive whole "
                + "number)", e.getMessage());
        assertTrue(Daemon.underSystemd(), "garbage counts as 'under systemd' so the error is seen");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "-1", "0", "+1", "1 ", "2147483645", "99999999999999999999", "0x2"})
    void listenFdsGarbageIsAClearError(String value) {
        env.put("LISTEN_PID", OUR_PID);
        env.put("LISTEN_FDS", value);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Daemon.listenFds(false));
        assertTrue(e.getMessage().startsWith("LISTEN_FDS=\"" + value + "\" is malformed"), e.getMessage());
        assertThrows(IllegalStateException.class, Daemon::listenFdNames);
    }

    @Test
    void descriptorsThatAreNotOpenAreAClearError() throws Exception {
        env.put("LISTEN_PID", OUR_PID);
        env.put("LISTEN_FDS", "1");
        assertEquals(1, Daemon.listenFds(false), "fd 3 is open in any JVM; this also loads the native code");
        env.put("LISTEN_FDS", "1000");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Daemon.listenFds(true));
        // Which descriptor is the first closed one depends on what this JVM has open at that moment.
        assertTrue(e.getMessage().matches("LISTEN_FDS=1000 but cannot set FD_CLOEXEC on fd \\d+: Bad file "
                + "descriptor \\(errno 9\\)"), e.getMessage());
        assertEquals(0, Daemon.listenFds(false), "unset happens even when the call fails, as in sd-daemon");
    }

    @Test
    void namesDefaultToUnknownAndMustMatchTheCount() {
        env.put("LISTEN_PID", OUR_PID);
        env.put("LISTEN_FDS", "1");
        assertEquals(List.of("unknown"), Daemon.listenFdNames());
        env.put("LISTEN_FDNAMES", "web");
        assertEquals(List.of("web"), Daemon.listenFdNames());
        env.put("LISTEN_FDS", "3");
        env.put("LISTEN_FDNAMES", "web::admin");
        assertEquals(List.of("web", "", "admin"), Daemon.listenFdNames());
        env.put("LISTEN_FDNAMES", "web:admin");
        IllegalStateException e = assertThrows(IllegalStateException.class, Daemon::listenFdNames);
        assertEquals("LISTEN_FDNAMES=\"web:admin\" names 2 descriptor(s) but LISTEN_FDS=3; the names must be "
                + "':'-separated, one per descriptor", e.getMessage());
        env.put("LISTEN_FDNAMES", "");
        assertThrows(IllegalStateException.class, Daemon::listenFdNames);
    }

    @Test
    void listenFdsWithUnsetHidesAllThreeVariables() {
        env.put("LISTEN_PID", OTHER_PID);
        env.put("LISTEN_FDS", "1");
        env.put("LISTEN_FDNAMES", "web");
        assertEquals(0, Daemon.listenFds(true));
        env.put("LISTEN_PID", OUR_PID);
        assertEquals(List.of(), Daemon.listenFdNames(), "hidden for the rest of this JVM's life");
        assertEquals(0, Daemon.listenFds(false));
    }

    @Test
    void watchdogForUs() {
        env.put("WATCHDOG_USEC", "30000000");
        assertEquals(30_000_000, Daemon.watchdogEnabled(false));
        env.put("WATCHDOG_PID", OUR_PID);
        assertEquals(30_000_000, Daemon.watchdogEnabled(false));
        assertEquals(9_223_372_036_854_775_807L, withUsec("9223372036854775807"));
    }

    private long withUsec(String usec) {
        env.put("WATCHDOG_USEC", usec);
        return Daemon.watchdogEnabled(false);
    }

    @Test
    void watchdogPidOfAnotherProcessMeansNoWatchdog() {
        env.put("WATCHDOG_USEC", "30000000");
        env.put("WATCHDOG_PID", OTHER_PID);
        assertEquals(0, Daemon.watchdogEnabled(false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "-1", "abc", "30s", "1e6", " 1", "9223372036854775808",
            "18446744073709551615"})
    void watchdogUsecGarbageAndZeroAreClearErrors(String value) {
        env.put("WATCHDOG_USEC", value);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Daemon.watchdogEnabled(false));
        assertEquals("WATCHDOG_USEC=\"" + value + "\" is malformed: allowed is a positive whole number of "
                + "microseconds", e.getMessage());
    }

    @Test
    void watchdogPidGarbageIsAClearError() {
        env.put("WATCHDOG_USEC", "1000000");
        env.put("WATCHDOG_PID", "self");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Daemon.watchdogEnabled(true));
        assertTrue(e.getMessage().startsWith("WATCHDOG_PID=\"self\" is malformed"), e.getMessage());
        assertEquals(0, Daemon.watchdogEnabled(false), "unset happens even when the call fails");
    }

    @Test
    void watchdogUnsetHidesBothVariables() {
        env.put("WATCHDOG_USEC", "1000000");
        env.put("WATCHDOG_PID", OUR_PID);
        assertEquals(1_000_000, Daemon.watchdogEnabled(true));
        assertEquals(0, Daemon.watchdogEnabled(false));
    }

    @Test
    void ourPidComesFromProcSelf() {
        assertEquals(ProcessHandle.current().pid(), Daemon.currentPid());
    }
}
