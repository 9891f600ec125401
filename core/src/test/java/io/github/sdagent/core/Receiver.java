package io.github.sdagent.core;

import com.sun.jna.Memory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real AF_UNIX datagram receiver bound by the test, like systemd's notify socket: SO_PASSCRED on, so every
 * datagram carries the sender's pid/uid/gid, and SCM_RIGHTS descriptors are received (close-on-exec).
 */
final class Receiver implements AutoCloseable {
    /** One received datagram. */
    record Datagram(byte[] payload, int pid, int uid, int gid, int[] fds, boolean truncated) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        void closeFds() {
            for (int fd : fds) {
                TestLibc.close(fd);
            }
        }
    }

    private final int fd;
    private final String notifySocket;
    private final Path path;

    private Receiver(String notifySocket, Path path) {
        this.notifySocket = notifySocket;
        this.path = path;
        this.fd = TestLibc.check(TestLibc.socket(TestLibc.AF_UNIX, TestLibc.SOCK_DGRAM | TestLibc.SOCK_CLOEXEC, 0),
                "socket");
        TestLibc.check(TestLibc.setsockopt(fd, TestLibc.SOL_SOCKET, TestLibc.SO_PASSCRED, new int[] {1}, 4),
                "setsockopt(SO_PASSCRED)");
        TestLibc.Address address = TestLibc.unixAddress(notifySocket);
        if (TestLibc.bind(fd, address.memory(), address.length()) < 0) {
            int errno = com.sun.jna.Native.getLastError();
            TestLibc.close(fd);
            throw new IllegalStateException("bind " + notifySocket + ": " + TestLibc.strerror(errno));
        }
    }

    /** A receiver bound to a socket file in {@code dir}. */
    static Receiver atPath(Path dir) {
        Path socket = dir.resolve("notify-" + ThreadLocalRandom.current().nextInt(1_000_000));
        return new Receiver(socket.toString(), socket);
    }

    /** A receiver bound in the abstract namespace; NOTIFY_SOCKET is {@code @name}. */
    static Receiver atAbstractName() {
        return new Receiver("@sdagent-core-test-" + ProcessHandle.current().pid() + "-"
                + ThreadLocalRandom.current().nextInt(1_000_000), null);
    }

    /** The NOTIFY_SOCKET value that reaches this receiver. */
    String notifySocket() {
        return notifySocket;
    }

    /** The next datagram; fails the test when none arrives in time. */
    Datagram receive(Duration timeout) {
        Datagram d = poll(timeout);
        if (d == null) {
            throw new AssertionError("no datagram arrived at " + notifySocket + " within " + timeout);
        }
        return d;
    }

    /** The next datagram, or null when none arrives in time. */
    Datagram poll(Duration timeout) {
        Memory pollfd = new Memory(8);
        pollfd.setInt(0, fd);
        pollfd.setShort(4, (short) 1); // POLLIN
        pollfd.setShort(6, (short) 0);
        if (TestLibc.check(TestLibc.poll(pollfd, 1, (int) timeout.toMillis()), "poll") == 0) {
            return null;
        }
        Memory buffer = new Memory(65536);
        Memory control = new Memory(4096);
        Memory header = new Memory(56);
        Memory iov = new Memory(16);
        header.clear();
        iov.setPointer(0, buffer);
        iov.setLong(8, buffer.size());
        header.setPointer(16, iov);
        header.setLong(24, 1);
        header.setPointer(32, control);
        header.setLong(40, control.size());
        long n = TestLibc.recvmsg(fd, header, TestLibc.MSG_CMSG_CLOEXEC);
        TestLibc.check((int) Math.min(n, 0), "recvmsg");
        int flags = header.getInt(48);
        long controlLength = header.getLong(40);
        int pid = 0;
        int uid = -1;
        int gid = -1;
        int[] fds = new int[0];
        for (long offset = 0; offset + 16 <= controlLength; ) {
            long length = control.getLong(offset);
            int level = control.getInt(offset + 8);
            int type = control.getInt(offset + 12);
            if (level == TestLibc.SOL_SOCKET && type == TestLibc.SCM_CREDENTIALS) {
                pid = control.getInt(offset + 16);
                uid = control.getInt(offset + 20);
                gid = control.getInt(offset + 24);
            } else if (level == TestLibc.SOL_SOCKET && type == TestLibc.SCM_RIGHTS) {
                fds = control.getIntArray(offset + 16, (int) ((length - 16) / 4));
            }
            offset += (length + 7) & ~7L;
        }
        return new Datagram(buffer.getByteArray(0, (int) n), pid, uid, gid, fds,
                (flags & TestLibc.MSG_TRUNC) != 0);
    }

    /** Asserts that nothing arrives within the time given (for "refused, nothing sent" checks). */
    void assertNothingWithin(Duration timeout) {
        Datagram d = poll(timeout);
        if (d != null) {
            d.closeFds();
            throw new AssertionError("expected no datagram, got " + Arrays.toString(d.payload()) + " \""
                    + d.text() + "\"");
        }
    }

    @Override
    public void close() throws java.io.IOException {
        TestLibc.close(fd);
        if (path != null) {
            Files.deleteIfExists(path);
        }
    }
}
