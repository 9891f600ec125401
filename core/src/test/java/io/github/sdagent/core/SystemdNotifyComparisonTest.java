package io.github.sdagent.core;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Byte-for-byte agreement with systemd's own {@code systemd-notify}: both send to the same receiver, and the
 * payloads must be identical. systemd-notify orders its options READY, STATUS, MAINPID, then the
 * VARIABLE=VALUE arguments, so the Java side is written in that order. What is not comparable: the sender
 * credentials (systemd-notify sends SCM_CREDENTIALS naming its parent, which is this JVM, while Daemon sends
 * none and the kernel fills in this JVM's pid) and systemd-notify's follow-up {@code BARRIER=1} (compared
 * with {@link Daemon#notifyBarrier} separately).
 */
class SystemdNotifyComparisonTest extends TestEnvironment {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @BeforeEach
    void requireSystemdNotify() {
        if (!new java.io.File("/usr/bin/systemd-notify").canExecute()
                && !new java.io.File("/bin/systemd-notify").canExecute()) {
            UserManager.unavailable("systemd-notify is not installed (Debian package systemd)");
        }
    }

    /** Runs systemd-notify against the receiver; returns its message and closes its barrier fd. */
    private static Receiver.Datagram systemdNotify(Receiver r, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("systemd-notify"));
        command.addAll(List.of(args));
        Thread runner = new Thread(() -> {
            try {
                Processes.Result result = Processes.run(command, Map.of("NOTIFY_SOCKET", r.notifySocket()), WAIT);
                if (result.exitCode() != 0) {
                    System.err.println("systemd-notify " + command + ": " + result.output());
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        runner.start();
        Receiver.Datagram message = r.receive(WAIT);
        Receiver.Datagram barrier = r.receive(WAIT);
        barrier.closeFds();
        runner.join(WAIT.toMillis());
        assertEquals("BARRIER=1", barrier.text(), "systemd-notify waits on a barrier after sending");
        assertEquals(1, barrier.fds().length);
        assertTrue(message.pid() > 0, "credentials present: " + message.pid());
        return message;
    }

    private void assertSameBytes(Receiver r, Notification ours, String... systemdNotifyArgs) throws Exception {
        Receiver.Datagram theirs = systemdNotify(r, systemdNotifyArgs);
        assertTrue(ours.send(false));
        Receiver.Datagram mine = r.receive(WAIT);
        assertArrayEquals(theirs.payload(), mine.payload(), "systemd-notify sent \"" + theirs.text()
                + "\", Daemon sent \"" + mine.text() + "\"");
        assertEquals(ProcessHandle.current().pid(), mine.pid());
    }

    @Test
    void sameBytesAsSystemdNotify() throws Exception {
        try (Receiver r = Receiver.atPath(dir)) {
            env.put("NOTIFY_SOCKET", r.notifySocket());
            assertSameBytes(r, Notification.ready(), "--ready");
            assertSameBytes(r, Notification.ready().status("Serving on :8080"), "--ready", "--status=Serving on :8080");
            assertSameBytes(r, Notification.empty().status("Grüße, 世界 🚀"), "--status=Grüße, 世界 🚀");
            assertSameBytes(r, Notification.ready().status("up").mainPid(ProcessHandle.current().pid())
                    .custom("X_BUILD", "42"), "--ready", "--status=up", "--pid=" + ProcessHandle.current().pid(),
                    "X_BUILD=42");
            assertSameBytes(r, Notification.of(Notification.Flag.STOPPING, Notification.Flag.WATCHDOG)
                    .extendTimeoutUsec(5_000_000).errno(5), "STOPPING=1", "WATCHDOG=1",
                    "EXTEND_TIMEOUT_USEC=5000000", "ERRNO=5");
            assertSameBytes(r, Notification.of(Notification.Flag.RELOADING).monotonicUsec(123456789)
                    .notifyAccess(Notification.Access.MAIN).busError("org.example.Error.Failed")
                    .with(Notification.Flag.RESTART_RESET), "RELOADING=1", "MONOTONIC_USEC=123456789",
                    "NOTIFYACCESS=main", "BUSERROR=org.example.Error.Failed", "RESTART_RESET=1");
        }
    }

    @Test
    void sameStringFormBytesOverAnAbstractSocket() throws Exception {
        try (Receiver r = Receiver.atAbstractName()) {
            env.put("NOTIFY_SOCKET", r.notifySocket());
            Receiver.Datagram theirs = systemdNotify(r, "READY=1", "STATUS=abstract", "X_A=b=c");
            assertTrue(Daemon.notify(false, "READY=1", "STATUS=abstract", "X_A=b=c"));
            assertArrayEquals(theirs.payload(), r.receive(WAIT).payload());
        }
    }

    @Test
    void barrierDatagramMatchesSystemdNotifys() throws Exception {
        try (Receiver r = Receiver.atPath(dir)) {
            env.put("NOTIFY_SOCKET", r.notifySocket());
            systemdNotify(r, "--status=before barrier"); // asserts its BARRIER=1 + one fd
            Thread waiter = new Thread(() -> {
                try {
                    Daemon.notifyBarrier(WAIT);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            waiter.start();
            Receiver.Datagram mine = r.receive(WAIT);
            mine.closeFds();
            waiter.join(WAIT.toMillis());
            assertEquals("BARRIER=1", mine.text());
            assertEquals(1, mine.fds().length);
        }
    }

    @Test
    void bootedAgreesWithSystemdNotifyBooted() throws Exception {
        int exit = Processes.run(List.of("systemd-notify", "--booted"), Map.of(), WAIT).exitCode();
        assertEquals(exit == 0, Daemon.booted(), "systemd-notify --booted exited " + exit);
    }
}
