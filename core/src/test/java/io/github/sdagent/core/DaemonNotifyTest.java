package io.github.sdagent.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Daemon.notify* against a real AF_UNIX datagram receiver bound by the test (path and abstract). */
class DaemonNotifyTest extends TestEnvironment {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(200);

    @TempDir
    Path dir;

    private Receiver receiver(boolean abstractName) {
        Receiver r = abstractName ? Receiver.atAbstractName() : Receiver.atPath(dir);
        env.put("NOTIFY_SOCKET", r.notifySocket());
        return r;
    }

    @ParameterizedTest(name = "abstract={0}")
    @ValueSource(booleans = {false, true})
    void sendsExactBytesWithOurCredentials(boolean abstractName) throws Exception {
        try (Receiver r = receiver(abstractName)) {
            assertTrue(Daemon.notify(false, "READY=1", "STATUS=Serving"));
            Receiver.Datagram d = r.receive(WAIT);
            assertArrayEquals("READY=1\nSTATUS=Serving".getBytes(StandardCharsets.US_ASCII), d.payload());
            assertEquals(ProcessHandle.current().pid(), d.pid(), "SO_PASSCRED pid is this JVM");
            assertEquals(0, d.fds().length);
            assertFalse(d.truncated());
        }
    }

    @Test
    void stringMapAndBuilderFormsSendTheSameBytes() throws Exception {
        try (Receiver r = receiver(false)) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("ready", 1);
            fields.put("status", "Serving");
            fields.put("mainpid", 4242);
            Daemon.notify(false, "READY=1\nSTATUS=Serving", "MAINPID=4242");
            Daemon.notify(false, fields);
            Notification.ready().status("Serving").mainPid(4242).send(false);
            byte[] expected = "READY=1\nSTATUS=Serving\nMAINPID=4242".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(expected, r.receive(WAIT).payload(), "form " + i);
            }
        }
    }

    @Test
    void nonAsciiStatusArrivesWholeAsUtf8() throws Exception {
        try (Receiver r = receiver(true)) {
            String status = "Grüße, 世界 🚀 ready";
            Notification.empty().status(status).send(false);
            Receiver.Datagram d = r.receive(WAIT);
            assertEquals("STATUS=" + status, d.text());
            assertEquals(("STATUS=" + status).getBytes(StandardCharsets.UTF_8).length, d.payload().length);
        }
    }

    @Test
    void newlinesInStatusCannotInjectKeys() throws Exception {
        try (Receiver r = receiver(false)) {
            String exceptionMessage = "boom\nREADY=1\r\nMAINPID=1\0X";
            Notification.empty().status(exceptionMessage).send(false);
            assertEquals("STATUS=boom READY=1  MAINPID=1 X", r.receive(WAIT).text());
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("status", exceptionMessage);
            Daemon.notify(false, fields);
            assertEquals("STATUS=boom READY=1  MAINPID=1 X", r.receive(WAIT).text());
        }
    }

    @Test
    void lineBreaksInOtherValuesAreRefusedAndNothingIsSent() throws Exception {
        try (Receiver r = receiver(false)) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("buserror", "org.Example\nREADY=1");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Daemon.notify(false, fields));
            assertTrue(e.getMessage().contains("BUSERROR"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Notification.empty().custom("X_A", "1\rREADY=1"));
            assertThrows(IllegalArgumentException.class, () -> Daemon.notify(false, "STATUS=a\rREADY=1"));
            assertThrows(IllegalArgumentException.class, () -> Daemon.notify(false, "STATUS=a\0READY=1"));
            assertThrows(IllegalArgumentException.class, () -> Daemon.notify(false, "STATUS=a\nnot a line"));
            assertThrows(IllegalArgumentException.class, () -> Daemon.notify(false, "ready=1"));
            assertThrows(IllegalArgumentException.class, () -> Daemon.notify(false));
            assertThrows(IllegalArgumentException.class, () -> Daemon.notify(false, "READY=1", null));
            r.assertNothingWithin(QUIET);
        }
    }

    @Test
    void oversizeMessagesAreRefusedNotTruncated() throws Exception {
        try (Receiver r = receiver(false)) {
            String fits = "STATUS=" + "x".repeat(Notification.MAX_BYTES - 7);
            assertTrue(Daemon.notify(false, fits));
            assertEquals(Notification.MAX_BYTES, r.receive(WAIT).payload().length);
            // 4097 bytes by UTF-8 count although only 4090 chars: the limit is in bytes.
            String multiByte = "STATUS=" + "é".repeat(2045);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Daemon.notify(false, multiByte));
            assertTrue(e.getMessage().contains("4097 bytes"), e.getMessage());
            r.assertNothingWithin(QUIET);
        }
    }

    @Test
    void withoutNotifySocketNothingIsSentAndFalseIsReturned() throws Exception {
        assertFalse(Daemon.notify(false, "READY=1"));
        assertFalse(Daemon.notify(true, Map.of("ready", 1)));
        assertFalse(Daemon.notifyWithFds(false, new int[] {0}, "FDSTORE=1"));
        assertFalse(Daemon.notifyBarrier(Duration.ofSeconds(1)));
        assertFalse(Notification.watchdog().send(false));
        assertNull(Daemon.notifySocket());
        assertFalse(Daemon.underSystemd());
    }

    @Test
    void unsetEnvironmentHidesNotifySocketForTheRestOfTheJvm() throws Exception {
        try (Receiver r = receiver(false)) {
            assertTrue(Daemon.underSystemd());
            assertEquals(r.notifySocket(), Daemon.notifySocket());
            assertTrue(Daemon.notify(true, "READY=1"));
            assertEquals("READY=1", r.receive(WAIT).text());
            assertFalse(Daemon.notify(false, "STATUS=after unset"));
            assertNull(Daemon.notifySocket());
            assertFalse(Daemon.underSystemd());
            r.assertNothingWithin(QUIET);
        }
    }

    @Test
    void unsetEnvironmentHidesEvenWhenTheSendFails() {
        env.put("NOTIFY_SOCKET", dir.resolve("nobody-listens").toString());
        assertThrows(IOException.class, () -> Daemon.notify(true, "READY=1"));
        assertNull(Daemon.notifySocket());
    }

    @Test
    void vanishedSocketGivesErrnoTextAndAddress() throws Exception {
        String path;
        try (Receiver r = receiver(false)) {
            assertTrue(Daemon.notify(false, "READY=1"));
            path = r.notifySocket();
        }
        IOException e = assertThrows(IOException.class, () -> Daemon.notify(false, "WATCHDOG=1"));
        assertTrue(e.getMessage().contains(path), e.getMessage());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        env.put("NOTIFY_SOCKET", "@sdagent-core-nobody-" + ProcessHandle.current().pid());
        IOException refused = assertThrows(IOException.class, () -> Daemon.notify(false, "WATCHDOG=1"));
        assertTrue(refused.getMessage().contains("Connection refused"), refused.getMessage());
    }

    @Test
    void repeatedNotifyReusesOneCachedSocket() throws Exception {
        try (Receiver first = receiver(false); Receiver second = Receiver.atAbstractName()) {
            Daemon.notify(false, "WATCHDOG=1");
            assertEquals("WATCHDOG=1", first.receive(WAIT).text());
            int fd = NotifySocket.get().cachedFd();
            long openFds = openFdCount();
            for (int i = 0; i < 50; i++) {
                Daemon.notify(false, "WATCHDOG=1");
                assertEquals("WATCHDOG=1", first.receive(WAIT).text());
            }
            env.put("NOTIFY_SOCKET", second.notifySocket());
            Daemon.notify(false, "STATUS=moved");
            assertEquals("STATUS=moved", second.receive(WAIT).text());
            assertEquals(fd, NotifySocket.get().cachedFd());
            assertEquals(openFds, openFdCount(), "no descriptor leaked per message");
        }
    }

    @Test
    void aReceiverThatStopsReadingCannotHangTheSender() throws Exception {
        try (Receiver r = receiver(false)) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> {
                for (int i = 0; i < 100_000; i++) {
                    Daemon.notify(false, "WATCHDOG=1");
                }
            });
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(e.getMessage().contains("queue is full"), e.getMessage());
            assertTrue(millis < 10_000, "gave up after " + millis + " ms");
            assertEquals("WATCHDOG=1", r.receive(WAIT).text(), "what was queued is intact");
        }
    }

    private static long openFdCount() throws IOException {
        try (var list = Files.list(Paths.get("/proc/self/fd"))) {
            return list.count();
        }
    }

    @Test
    void fdStorePassesTheDescriptorsThemselves() throws Exception {
        try (Receiver r = receiver(false)) {
            int[] pipe = new int[2];
            TestLibc.check(TestLibc.pipe2(pipe, 0x80000), "pipe2");
            try {
                assertTrue(Notification.of(Notification.Flag.FDSTORE).fdName("my-pipe")
                        .sendWithFds(false, pipe[0], pipe[1]));
                Receiver.Datagram d = r.receive(WAIT);
                try {
                    assertEquals("FDSTORE=1\nFDNAME=my-pipe", d.text());
                    assertEquals(2, d.fds().length);
                    for (int i = 0; i < 2; i++) {
                        assertEquals(Files.readSymbolicLink(Paths.get("/proc/self/fd/" + pipe[i])),
                                Files.readSymbolicLink(Paths.get("/proc/self/fd/" + d.fds()[i])));
                        assertTrue(d.fds()[i] != pipe[i], "a duplicate, not the same number");
                    }
                } finally {
                    d.closeFds();
                }
                // The next plain message must not carry the descriptors again.
                Daemon.notify(false, "STATUS=plain");
                assertEquals(0, r.receive(WAIT).fds().length);
            } finally {
                TestLibc.close(pipe[0]);
                TestLibc.close(pipe[1]);
            }
            assertThrows(IllegalArgumentException.class, () -> Daemon.notifyWithFds(false, new int[] {-1}, "FDSTORE=1"));
        }
    }

    @Test
    void barrierIsReleasedOnlyWhenTheReceiverClosesTheDescriptor() throws Exception {
        try (Receiver r = receiver(true)) {
            Daemon.notify(false, "STATUS=before barrier");
            Thread[] waiter = new Thread[1];
            Object[] outcome = new Object[1];
            waiter[0] = new Thread(() -> {
                try {
                    outcome[0] = Daemon.notifyBarrier(Duration.ofSeconds(30));
                } catch (Throwable t) {
                    outcome[0] = t;
                }
            });
            waiter[0].start();
            assertEquals("STATUS=before barrier", r.receive(WAIT).text());
            Receiver.Datagram barrier = r.receive(WAIT);
            assertEquals("BARRIER=1", barrier.text());
            assertEquals(1, barrier.fds().length);
            waiter[0].join(500);
            assertTrue(waiter[0].isAlive(), "barrier must wait while the receiver holds the pipe: " + outcome[0]);
            // Other threads may notify while a barrier waits.
            assertTrue(Daemon.notify(false, "WATCHDOG=1"));
            assertEquals("WATCHDOG=1", r.receive(WAIT).text());
            barrier.closeFds();
            waiter[0].join(5000);
            assertFalse(waiter[0].isAlive());
            assertEquals(Boolean.TRUE, outcome[0]);
        }
    }

    @Test
    void barrierTimesOutWhenTheReceiverNeverAnswers() throws Exception {
        try (Receiver r = receiver(false)) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> Daemon.notifyBarrier(Duration.ofMillis(300)));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 290, "waited " + millis + " ms");
            assertTrue(e.getMessage().contains("300 ms"), e.getMessage());
            r.receive(WAIT).closeFds();
        }
    }
}
