package io.github.sdagent.agent;

import com.sun.jna.Native;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A notify socket of our own (AF_UNIX datagram, like systemd's) for forked-JVM tests: point NOTIFY_SOCKET at
 * {@link #path()} and read what the agent sends. JNA direct mapping of socket/bind/poll/recv.
 */
final class NotifyReceiver implements AutoCloseable {

    static {
        Native.register("c");
    }

    private static native int socket(int domain, int type, int protocol);

    private static native int bind(int fd, byte[] address, int length);

    private static native int poll(byte[] fds, long count, int timeoutMillis);

    private static native long recv(int fd, byte[] buffer, long length, int flags);

    private static native int close(int fd);

    private static native long sendto(int fd, byte[] buffer, long length, int flags, byte[] address, int addressLength);

    private final int fd;
    private final Path path;
    private byte[] address;
    private int addressLength;

    NotifyReceiver(Path dir) throws Exception {
        path = dir.resolve("notify.sock");
        Files.deleteIfExists(path);
        fd = socket(1 /* AF_UNIX */, 2 | 02000000 /* SOCK_DGRAM | SOCK_CLOEXEC */, 0);
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        address = new byte[110];
        address[0] = 1; // sun_family = AF_UNIX, little endian
        System.arraycopy(name, 0, address, 2, name.length);
        addressLength = 2 + name.length + 1;
        if (fd < 0 || bind(fd, address, addressLength) != 0) {
            throw new IllegalStateException("cannot bind a notify receiver at " + path + ": errno " + Native.getLastError());
        }
    }

    Path path() {
        return path;
    }

    /**
     * Plays a systemd that has stopped reading: fills this socket's receive queue (net.unix.max_dgram_qlen
     * datagrams) so that the agent's next send waits for room until its send timeout. Returns how many it took.
     */
    int fillQueue() {
        int sender = socket(1 /* AF_UNIX */, 2 | 02000000 /* SOCK_DGRAM | SOCK_CLOEXEC */, 0);
        byte[] filler = "X-TEST-FILLER=1".getBytes(StandardCharsets.UTF_8);
        int queued = 0;
        while (queued < 100_000 && sendto(sender, filler, filler.length, 0x40 /* MSG_DONTWAIT */, address, addressLength) >= 0) {
            queued++;
        }
        close(sender);
        return queued;
    }

    /** The next datagram's text, or null when none arrives within {@code timeout}. */
    String poll(Duration timeout) {
        byte[] pollfd = new byte[8];
        pollfd[0] = (byte) fd;
        pollfd[1] = (byte) (fd >> 8);
        pollfd[4] = 1; // POLLIN
        if (poll(pollfd, 1, (int) timeout.toMillis()) <= 0) {
            return null;
        }
        byte[] buffer = new byte[8192];
        long n = recv(fd, buffer, buffer.length, 0);
        return n < 0 ? null : new String(buffer, 0, (int) n, StandardCharsets.UTF_8);
    }

    /** The first datagram containing {@code text} within {@code timeout}; everything read on the way is added to {@code seen}. */
    String awaitContaining(String text, Duration timeout, List<String> seen) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            String message = poll(Duration.ofNanos(Math.max(left, 1_000_000)));
            if (message != null) {
                seen.add(message);
                if (message.contains(text)) {
                    return message;
                }
            }
        }
        return null;
    }

    /** Everything that arrives within {@code window}. */
    List<String> drain(Duration window) {
        List<String> messages = new ArrayList<>();
        awaitContaining("\u0000never\u0000", window, messages);
        return messages;
    }

    @Override
    public void close() throws Exception {
        close(fd);
        Files.deleteIfExists(path);
    }
}
