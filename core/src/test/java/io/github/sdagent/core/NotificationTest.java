package io.github.sdagent.core;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The typed builder renders every sd_notify key, in call order, to the bytes the string form renders. */
class NotificationTest {
    @Test
    void everyKeyRenders() {
        Notification n = Notification.ready()
                .with(Notification.Flag.RELOADING)
                .with(Notification.Flag.STOPPING)
                .monotonicUsec(123456789)
                .status("Serving")
                .notifyAccess(Notification.Access.ALL)
                .errno(2)
                .busError("org.freedesktop.DBus.Error.TimedOut")
                .varlinkError("io.systemd.Example.Broken")
                .exitStatus(3)
                .mainPid(4242)
                .with(Notification.Flag.WATCHDOG)
                .with(Notification.Flag.WATCHDOG_TRIGGER)
                .watchdogUsec(30_000_000)
                .extendTimeoutUsec(5_000_000)
                .with(Notification.Flag.RESTART_RESET)
                .with(Notification.Flag.FDSTORE)
                .with(Notification.Flag.FDSTOREREMOVE)
                .fdName("http")
                .with(Notification.Flag.FDPOLL_DISABLED)
                .with(Notification.Flag.BARRIER)
                .custom("X_BUILD", "1.2.3");
        String expected = String.join("\n", "READY=1", "RELOADING=1", "STOPPING=1", "MONOTONIC_USEC=123456789",
                "STATUS=Serving", "NOTIFYACCESS=all", "ERRNO=2", "BUSERROR=org.freedesktop.DBus.Error.TimedOut",
                "VARLINKERROR=io.systemd.Example.Broken", "EXIT_STATUS=3", "MAINPID=4242", "WATCHDOG=1",
                "WATCHDOG=trigger", "WATCHDOG_USEC=30000000", "EXTEND_TIMEOUT_USEC=5000000", "RESTART_RESET=1",
                "FDSTORE=1", "FDSTOREREMOVE=1", "FDNAME=http", "FDPOLL=0", "BARRIER=1", "X_BUILD=1.2.3");
        assertEquals(expected, n.toString());
        assertArrayEquals(expected.getBytes(StandardCharsets.US_ASCII), n.toBytes());
        // The string form accepts exactly what the builder renders, unchanged.
        assertEquals(expected, Notification.joinAssignments(expected.split("\n")));
    }

    @Test
    void factoriesAndFlags() {
        assertEquals("READY=1", Notification.ready().toString());
        assertEquals("STOPPING=1", Notification.stopping().toString());
        assertEquals("WATCHDOG=1", Notification.watchdog().toString());
        assertEquals("FDSTORE=1\nFDPOLL=0", Notification.of(Notification.Flag.FDSTORE,
                Notification.Flag.FDPOLL_DISABLED).toString());
        assertEquals("none main exec all", String.join(" ", Arrays.stream(Notification.Access.values())
                .map(Notification.Access::value).toArray(String[]::new)));
        assertEquals(Notification.ready().status("x"), Notification.ready().status("x"));
    }

    @Test
    void reloadingCarriesClockMonotonicMicroseconds() {
        long before = TestLibc.monotonicMicros();
        String text = Notification.reloading().toString();
        long after = TestLibc.monotonicMicros();
        String[] lines = text.split("\n");
        assertEquals("RELOADING=1", lines[0]);
        assertTrue(lines[1].startsWith("MONOTONIC_USEC="), text);
        long usec = Long.parseLong(lines[1].substring("MONOTONIC_USEC=".length()));
        assertTrue(before <= usec && usec <= after, before + " <= " + usec + " <= " + after);
    }

    @Test
    void valuesThatSystemdWouldRejectAreRefusedHere() {
        assertThrows(IllegalArgumentException.class, () -> Notification.empty().mainPid(0));
        assertThrows(IllegalArgumentException.class, () -> Notification.empty().errno(-1));
        assertThrows(IllegalArgumentException.class, () -> Notification.empty().watchdogUsec(0));
        assertThrows(IllegalArgumentException.class, () -> Notification.empty().extendTimeoutUsec(-5));
        assertThrows(IllegalArgumentException.class, () -> Notification.empty().fdName("a:b"));
        assertThrows(IllegalArgumentException.class, () -> Notification.empty().fdName("x".repeat(256)));
        assertThrows(IllegalArgumentException.class, () -> Notification.empty().fdName("tab\there"));
        assertThrows(IllegalArgumentException.class, () -> Notification.empty().custom("BUILD", "1"));
        assertThrows(IllegalArgumentException.class, () -> Notification.empty().custom("X_lower", "1"));
        assertThrows(IllegalArgumentException.class, () -> Notification.empty().busError("a\nREADY=1"));
        assertThrows(IllegalArgumentException.class, () -> Notification.empty().toBytes());
        assertEquals("FDNAME=web socket", Notification.empty().fdName("web socket").toString());
        assertEquals("FDNAME=", Notification.empty().fdName("").toString(), "systemd allows the empty name");
    }

    @Test
    void statusIsSanitisedNotRefused() {
        assertEquals("STATUS=failed: java.io.IOException: disk  full X",
                Notification.empty().status("failed: java.io.IOException: disk\r\nfull\0X").toString());
        assertEquals("STATUS=null", Notification.empty().status(null).toString());
    }

    @Test
    void stringFormRules() {
        assertEquals("READY=1", Notification.joinAssignments("READY=1\n"));
        assertEquals("READY=1\nSTATUS=a=b", Notification.joinAssignments("READY=1", "STATUS=a=b"));
        assertEquals("STATUS=", Notification.joinAssignments("STATUS="));
        for (String bad : Arrays.asList("READY=1\n\n", "\nREADY=1", "=1", "READY", "READY=1\nX", "1X=2",
                "READ Y=1", "Ready=1", "STATUS=a\rb", "STATUS=a\0")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Notification.joinAssignments(bad), bad);
            assertTrue(e.getMessage().contains("notify"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n") && !e.getMessage().contains("\r"),
                    "error messages stay on one line: " + e.getMessage());
        }
    }

    @Test
    void sizeLimitIsInUtf8Bytes() {
        assertEquals(4096, Notification.encode("X=" + "€".repeat(1364) + "ab").length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Notification.encode("X=" + "€".repeat(1365)));
        assertTrue(e.getMessage().contains("4097 bytes"), e.getMessage());
    }
}
