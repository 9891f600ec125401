package io.github.sdagent.bench;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for systemd's notify socket: binds an AF_UNIX datagram socket at a path, drains it on a
 * daemon thread with {@code recvmmsg} (batches, so a fast sender is limited by its own cost, not by the
 * receiver), stamps each batch with {@link System#nanoTime()} right after the call returns, closes any
 * file descriptors passed with SCM_RIGHTS (that is what releases a {@code BARRIER=1} sender, as
 * systemd does) and remembers every datagram other than {@code WATCHDOG=1}.
 */
final class NotifyReceiver implements AutoCloseable {
    /** One datagram and the receiver's nanoTime right after it arrived. */
    record Datagram(long nanos, String text) {
        boolean has(String assignment) {
            for (String line : text.split("\n")) {
                if (line.equals(assignment)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final int BATCH = 64;
    private static final int BUFFER = 4096;
    private static final int CONTROL = 256;

    private final String path;
    private final int fd;
    private final Memory vector = new Memory((long) BATCH * Libc.MMSGHDR_SIZE);
    private final Memory iovecs = new Memory((long) BATCH * Libc.IOVEC_SIZE);
    private final Memory buffers = new Memory((long) BATCH * BUFFER);
    private final Memory controls = new Memory((long) BATCH * CONTROL);
    private final Thread drain;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong watchdogs = new AtomicLong();
    private final List<Datagram> messages = new ArrayList<>();
    private final boolean spin;
    private volatile boolean stopped;

    private NotifyReceiver(String path, boolean spin) {
        this.path = path;
        this.spin = spin;
        new File(path).delete();
        fd = Libc.datagramSocket();
        Memory address = Libc.unixAddress(path);
        if (Libc.bind(fd, address, Libc.addressLength(path)) != 0) {
            String error = Libc.lastError("bind(" + path + ")");
            Libc.close(fd);
            throw new IllegalStateException(error);
        }
        Memory timeout = new Memory(16); // wake up every 100 ms to notice close()
        timeout.setLong(0, 0);
        timeout.setLong(8, 100_000);
        if (Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, timeout, 16) != 0) {
            throw new IllegalStateException(Libc.lastError("setsockopt(SO_RCVTIMEO)"));
        }
        for (int i = 0; i < BATCH; i++) {
            Pointer iov = iovecs.share((long) i * Libc.IOVEC_SIZE);
            iov.setPointer(0, buffers.share((long) i * BUFFER));
            iov.setLong(8, BUFFER);
        }
        drain = new Thread(this::drainLoop, "notify-receiver " + path);
        drain.setDaemon(true);
        drain.start();
    }

    static NotifyReceiver bind(String path) {
        return new NotifyReceiver(path, false);
    }

    /**
     * A receiver whose drain thread polls without sleeping (MSG_DONTWAIT, spinning on an empty socket):
     * the sender then never pays for waking it up, so a send benchmark measures the sender. Costs one core.
     */
    static NotifyReceiver bindSpinning(String path) {
        return new NotifyReceiver(path, true);
    }

    String path() {
        return path;
    }

    private void resetHeaders() {
        vector.clear();
        for (int i = 0; i < BATCH; i++) {
            Pointer header = vector.share((long) i * Libc.MMSGHDR_SIZE);
            header.setPointer(16, iovecs.share((long) i * Libc.IOVEC_SIZE));
            header.setLong(24, 1);
            header.setPointer(32, controls.share((long) i * CONTROL));
            header.setLong(40, CONTROL);
        }
    }

    private void drainLoop() {
        while (!stopped) {
            resetHeaders();
            int flags = Libc.MSG_WAITFORONE | Libc.MSG_CMSG_CLOEXEC | (spin ? Libc.MSG_DONTWAIT : 0);
            int count = Libc.recvmmsg(fd, vector, BATCH, flags, null);
            long now = System.nanoTime();
            if (count < 0) {
                int errno = com.sun.jna.Native.getLastError();
                if (errno == Libc.EAGAIN || errno == Libc.EINTR) {
                    if (spin) {
                        Thread.onSpinWait();
                    }
                    continue;
                }
                if (!stopped) {
                    System.err.println(Libc.lastError("notify receiver recvmmsg(" + path + ")"));
                }
                return;
            }
            for (int i = 0; i < count; i++) {
                Pointer header = vector.share((long) i * Libc.MMSGHDR_SIZE);
                closePassedFds(header);
                int length = header.getInt(56);
                received.incrementAndGet();
                byte[] bytes = buffers.getByteArray((long) i * BUFFER, Math.min(length, BUFFER));
                String text = new String(bytes, StandardCharsets.UTF_8);
                if (text.equals("WATCHDOG=1")) {
                    watchdogs.incrementAndGet();
                    continue;
                }
                synchronized (messages) {
                    messages.add(new Datagram(now, text));
                    messages.notifyAll();
                }
            }
        }
    }

    /** Walks the control messages of one received msghdr and closes SCM_RIGHTS descriptors. */
    private static void closePassedFds(Pointer header) {
        Pointer control = header.getPointer(32);
        long controlLength = header.getLong(40);
        long offset = 0;
        while (offset + 16 <= controlLength) {
            long cmsgLength = control.getLong(offset);
            if (cmsgLength < 16) {
                return;
            }
            int level = control.getInt(offset + 8);
            int type = control.getInt(offset + 12);
            if (level == Libc.SOL_SOCKET && type == Libc.SCM_RIGHTS) {
                for (long at = offset + 16; at + 4 <= offset + cmsgLength; at += 4) {
                    Libc.close(control.getInt(at));
                }
            }
            offset += (cmsgLength + 7) & ~7L;
        }
    }

    long received() {
        return received.get();
    }

    long watchdogs() {
        return watchdogs.get();
    }

    List<Datagram> messages() {
        synchronized (messages) {
            return new ArrayList<>(messages);
        }
    }

    /** The first datagram carrying {@code assignment} (e.g. READY=1), or null after the timeout. */
    Datagram await(String assignment, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (messages) {
            while (true) {
                for (Datagram datagram : messages) {
                    if (datagram.has(assignment)) {
                        return datagram;
                    }
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return null;
                }
                messages.wait(left);
            }
        }
    }

    /**
     * The first datagram received after {@code afterNanos} with a line starting with {@code prefix} (e.g.
     * {@code WATCHDOG=trigger}, {@code STATUS=Healthy again}), or null after the timeout.
     */
    Datagram awaitLine(String prefix, long afterNanos, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (messages) {
            while (true) {
                for (Datagram datagram : messages) {
                    if (datagram.nanos() > afterNanos && datagram.text().lines().anyMatch(line -> line.startsWith(prefix))) {
                        return datagram;
                    }
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return null;
                }
                messages.wait(left);
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        try {
            drain.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Libc.close(fd);
        new File(path).delete();
    }
}
