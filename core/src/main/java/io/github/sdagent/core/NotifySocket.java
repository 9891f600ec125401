package io.github.sdagent.core;

import com.sun.jna.Memory;
import com.sun.jna.Native;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Sends notification datagrams. One AF_UNIX {@code SOCK_DGRAM|SOCK_CLOEXEC} socket and one native block
 * holding msghdr, iovec, address, control and payload are made once and reused, so a repeated
 * {@code WATCHDOG=1} costs one sendmsg plus a few field writes. Internal.
 *
 * <p>Layouts are the 64-bit Linux ABI ({@link Libc} refuses others): msghdr is name@0, namelen@8, iov@16,
 * iovlen@24, control@32, controllen@40, flags@48 (56 bytes); iovec is base@0, len@8; cmsghdr is len@0,
 * level@8, type@12, data@16, padded to 8 bytes.
 */
final class NotifySocket {
    /** The kernel's SCM_MAX_FD. */
    static final int MAX_FDS = 253;
    /**
     * How long a send may wait for room in the receiver's queue (net.unix.max_dgram_qlen datagrams, often
     * only 10). libsystemd waits forever; a receiver that stopped reading must not hang our caller.
     */
    static final int SEND_TIMEOUT_MILLIS = 1000;

    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int CMSG_HEADER = 16;

    private static final int MSG_NAME = 0;
    private static final int MSG_NAMELEN = 8;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int IOV = 56;
    private static final int IOV_BASE = IOV;
    private static final int IOV_LEN = IOV + 8;
    private static final int NAME = 72;
    private static final int NAME_SIZE = 112;
    private static final int CONTROL = NAME + NAME_SIZE;
    private static final int CONTROL_SIZE = CMSG_HEADER + align8(4 * MAX_FDS);
    private static final int PAYLOAD = CONTROL + CONTROL_SIZE;
    private static final int BLOCK_SIZE = PAYLOAD + Notification.MAX_BYTES;

    private static NotifySocket instance;

    private final Memory block = new Memory(BLOCK_SIZE);
    private int unixFd = -1;
    /** What the block currently holds, so repeated identical sends skip rewriting it. */
    private NotifyAddress writtenAddress;
    private byte[] writtenPayload;
    private boolean controlAttached;

    private NotifySocket() {
        block.clear();
        block.setPointer(MSG_IOV, block.share(IOV));
        block.setLong(MSG_IOVLEN, 1);
    }

    /** The process-wide sender; loads the native binding on first use. */
    static synchronized NotifySocket get() throws IOException {
        Libc.ensureLoaded();
        if (instance == null) {
            instance = new NotifySocket();
        }
        return instance;
    }

    /** Sends one datagram (AF_UNIX) or one connection's worth of message (AF_VSOCK stream/seqpacket). */
    synchronized void send(NotifyAddress address, byte[] payload, int[] fds) throws IOException {
        if (fds.length > MAX_FDS) {
            throw new IOException("cannot pass " + fds.length + " file descriptors in one notification; the "
                    + "kernel allows " + MAX_FDS);
        }
        if (address.family() == NotifyAddress.AF_VSOCK) {
            sendVsock(address, payload, fds);
            return;
        }
        if (unixFd < 0) {
            int fd = Libc.socket(NotifyAddress.AF_UNIX, NotifyAddress.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IOException("cannot create the notify socket: " + Libc.lastError());
            }
            try {
                limitSendTime(fd);
            } catch (IOException e) {
                Libc.close(fd);
                throw e;
            }
            unixFd = fd;
        }
        prepare(address, true, payload, fds);
        sendPrepared(unixFd, address, payload.length, false);
    }

    private static void limitSendTime(int fd) throws IOException {
        Memory timeval = new Memory(16);
        timeval.setLong(0, SEND_TIMEOUT_MILLIS / 1000);
        timeval.setLong(8, (SEND_TIMEOUT_MILLIS % 1000) * 1000L);
        if (Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_SNDTIMEO, timeval, 16) < 0) {
            throw new IOException("cannot set SO_SNDTIMEO on the notify socket: " + Libc.lastError());
        }
    }

    private void prepare(NotifyAddress address, boolean withName, byte[] payload, int[] fds) {
        if (!withName) {
            block.setPointer(MSG_NAME, null);
            block.setInt(MSG_NAMELEN, 0);
            writtenAddress = null;
        } else if (address != writtenAddress) {
            byte[] sockaddr = address.sockaddr();
            block.write(NAME, sockaddr, 0, sockaddr.length);
            block.setPointer(MSG_NAME, block.share(NAME));
            block.setInt(MSG_NAMELEN, sockaddr.length);
            writtenAddress = address;
        }
        if (!Arrays.equals(payload, writtenPayload)) {
            block.write(PAYLOAD, payload, 0, payload.length);
            block.setPointer(IOV_BASE, block.share(PAYLOAD));
            block.setLong(IOV_LEN, payload.length);
            writtenPayload = payload;
        }
        if (fds.length > 0) {
            block.setLong(CONTROL, CMSG_HEADER + 4L * fds.length);
            block.setInt(CONTROL + 8, SOL_SOCKET);
            block.setInt(CONTROL + 12, SCM_RIGHTS);
            block.write(CONTROL + CMSG_HEADER, fds, 0, fds.length);
            block.setPointer(MSG_CONTROL, block.share(CONTROL));
            block.setLong(MSG_CONTROLLEN, CMSG_HEADER + align8(4 * fds.length));
            controlAttached = true;
        } else if (controlAttached) {
            detachControl();
        }
    }

    private void detachControl() {
        block.setPointer(MSG_CONTROL, null);
        block.setLong(MSG_CONTROLLEN, 0);
        controlAttached = false;
    }

    private void sendPrepared(int fd, NotifyAddress address, int length, boolean stream) throws IOException {
        int sent = 0;
        while (sent < length) {
            long n = Libc.sendmsg(fd, block, Libc.MSG_NOSIGNAL);
            if (n < 0) {
                int errno = Native.getLastError();
                if (errno == Libc.EINTR) {
                    continue;
                }
                throw new IOException("sd_notify to NOTIFY_SOCKET=" + address + " failed: "
                        + Libc.describe(errno) + (errno == Libc.EAGAIN ? ": the receiver did not take the "
                        + "message within " + SEND_TIMEOUT_MILLIS + " ms (its queue is full)" : ""));
            }
            if (!stream && n != length) {
                throw new IOException("sd_notify to NOTIFY_SOCKET=" + address + " sent " + n + " of " + length
                        + " bytes");
            }
            sent += (int) n;
            if (sent < length) {
                // A stream socket took part of the message: send the rest, without the fds a second time.
                block.setPointer(IOV_BASE, block.share(PAYLOAD + sent));
                block.setLong(IOV_LEN, length - sent);
                detachControl();
                writtenPayload = null;
            }
        }
    }

    /**
     * AF_VSOCK as libsystemd does it: a fresh socket per message, datagram first for {@code vsock:} with a
     * fall-back to seqpacket and stream; connection types connect, send, shut down writing and wait for EOF.
     */
    private void sendVsock(NotifyAddress address, byte[] payload, int[] fds) throws IOException {
        if (fds.length > 0) {
            throw new IOException("NOTIFY_SOCKET=" + address + " is AF_VSOCK, which cannot carry file "
                    + "descriptors");
        }
        int type = address.socketType() == NotifyAddress.SOCK_DEFAULT ? NotifyAddress.SOCK_DGRAM
                : address.socketType();
        int fd = Libc.socket(NotifyAddress.AF_VSOCK, type | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0 && address.socketType() == NotifyAddress.SOCK_DEFAULT) {
            int errno = Native.getLastError();
            if (Libc.isNotSupported(errno) || errno == Libc.ENODEV) {
                type = NotifyAddress.SOCK_SEQPACKET;
                fd = Libc.socket(NotifyAddress.AF_VSOCK, type | Libc.SOCK_CLOEXEC, 0);
                if (fd < 0 && Libc.isNotSupported(Native.getLastError())) {
                    type = NotifyAddress.SOCK_STREAM;
                    fd = Libc.socket(NotifyAddress.AF_VSOCK, type | Libc.SOCK_CLOEXEC, 0);
                }
            }
        }
        if (fd < 0) {
            throw new IOException("cannot create an AF_VSOCK socket for NOTIFY_SOCKET=" + address + ": "
                    + Libc.lastError());
        }
        try {
            limitSendTime(fd);
            bindPrivilegedPort(fd, address);
            boolean connected = type != NotifyAddress.SOCK_DGRAM;
            if (connected) {
                byte[] sockaddr = address.sockaddr();
                Memory name = new Memory(sockaddr.length);
                name.write(0, sockaddr, 0, sockaddr.length);
                if (Libc.connect(fd, name, sockaddr.length) < 0) {
                    throw new IOException("cannot connect to NOTIFY_SOCKET=" + address + ": " + Libc.lastError());
                }
            }
            prepare(address, !connected, payload, fds);
            sendPrepared(fd, address, payload.length, type == NotifyAddress.SOCK_STREAM);
            if (connected) {
                awaitEndOfStream(fd, address);
            }
        } finally {
            Libc.close(fd);
        }
    }

    /** The receiver may trust only privileged source ports, so try 1023 downwards; lacking the right is fine. */
    private static void bindPrivilegedPort(int fd, NotifyAddress address) throws IOException {
        Memory any = new Memory(16);
        any.clear();
        any.setShort(0, (short) NotifyAddress.AF_VSOCK);
        any.setInt(8, -1); // VMADDR_CID_ANY
        for (int port = 1023; port > 0; port--) {
            any.setInt(4, port);
            if (Libc.bind(fd, any, 16) == 0) {
                return;
            }
            int errno = Native.getLastError();
            if (errno == Libc.EPERM || errno == Libc.EACCES) {
                return;
            }
            if (errno != Libc.EADDRINUSE) {
                throw new IOException("cannot bind the AF_VSOCK socket for NOTIFY_SOCKET=" + address + ": "
                        + Libc.describe(errno));
            }
        }
    }

    /**
     * The receiver closes the connection once it has read the message. Waited for at most
     * {@link #SEND_TIMEOUT_MILLIS} (SO_RCVTIMEO): a receiver that never closes must not keep the caller, nor every
     * other sender behind this object's lock, waiting for good (a stopping JVM's STOPPING=1 among them).
     */
    static void awaitEndOfStream(int fd, NotifyAddress address) throws IOException {
        Memory timeval = new Memory(16);
        timeval.setLong(0, SEND_TIMEOUT_MILLIS / 1000);
        timeval.setLong(8, (SEND_TIMEOUT_MILLIS % 1000) * 1000L);
        if (Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, timeval, 16) < 0) {
            throw new IOException("cannot set SO_RCVTIMEO on the notify connection: " + Libc.lastError());
        }
        if (Libc.shutdown(fd, Libc.SHUT_WR) < 0) {
            throw new IOException("cannot shut down the notify connection to " + address + ": " + Libc.lastError());
        }
        Memory one = new Memory(1);
        long n;
        do {
            n = Libc.recv(fd, one, 1, Libc.MSG_NOSIGNAL);
        } while (n < 0 && Native.getLastError() == Libc.EINTR);
        if (n < 0) {
            int errno = Native.getLastError();
            throw new IOException("waiting for NOTIFY_SOCKET=" + address + " to close failed: " + Libc.describe(errno)
                    + (errno == Libc.EAGAIN ? ": the receiver did not close the connection within "
                    + SEND_TIMEOUT_MILLIS + " ms" : ""));
        }
        if (n > 0) {
            throw new IOException("NOTIFY_SOCKET=" + address + " unexpectedly sent data back");
        }
    }

    /**
     * sd_notify_barrier: sends {@code BARRIER=1} with the write end of a fresh pipe and waits until the
     * receiver has closed it (POLLHUP on the read end), which means it processed every earlier message.
     * Waiting happens outside the sender lock so watchdog pings from other threads are not held up.
     */
    static boolean barrier(NotifyAddress address, long timeoutMillis) throws IOException {
        NotifySocket sender = get();
        int[] pipe = {-1, -1};
        if (Libc.pipe2(pipe, Libc.O_CLOEXEC) < 0) {
            throw new IOException("cannot create the barrier pipe: " + Libc.lastError());
        }
        try {
            byte[] message = Notification.Flag.BARRIER.assignment().getBytes(StandardCharsets.US_ASCII);
            sender.send(address, message, new int[] {pipe[1]});
            Libc.close(pipe[1]);
            pipe[1] = -1;
            awaitHangup(pipe[0], address, timeoutMillis);
            return true;
        } finally {
            for (int fd : pipe) {
                if (fd >= 0) {
                    Libc.close(fd);
                }
            }
        }
    }

    private static void awaitHangup(int fd, NotifyAddress address, long timeoutMillis) throws IOException {
        Memory pollfd = new Memory(8);
        pollfd.setInt(0, fd);
        pollfd.setShort(4, (short) 0); // POLLHUP is always reported
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            long left = Math.max(0, (deadline - System.nanoTime() + 999_999) / 1_000_000L);
            pollfd.setShort(6, (short) 0);
            int r = Libc.poll(pollfd, 1, (int) Math.min(Integer.MAX_VALUE, left));
            if (r > 0) {
                return;
            }
            if (r < 0 && Native.getLastError() != Libc.EINTR) {
                throw new IOException("sd_notify barrier: poll failed: " + Libc.lastError());
            }
            if (r == 0 && System.nanoTime() - deadline >= 0) {
                throw new IOException("sd_notify barrier: NOTIFY_SOCKET=" + address + " did not confirm "
                        + "BARRIER=1 within " + timeoutMillis + " ms (it keeps the pipe open until it has "
                        + "processed all earlier messages)");
            }
        }
    }

    /** Sets FD_CLOEXEC on an inherited descriptor (sd_listen_fds does this for each passed fd). */
    static void setCloseOnExec(int fd) throws IOException {
        Libc.ensureLoaded();
        int flags = Libc.fcntl(fd, Libc.F_GETFD, 0);
        if (flags < 0 || Libc.fcntl(fd, Libc.F_SETFD, flags | Libc.FD_CLOEXEC) < 0) {
            throw new IOException("cannot set FD_CLOEXEC on fd " + fd + ": " + Libc.lastError());
        }
    }

    /** getpid() through libc, for when /proc is not mounted. */
    static int nativePid() throws IOException {
        Libc.ensureLoaded();
        return Libc.getpid();
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }

    /** For tests: the cached AF_UNIX socket, or -1 before the first send. */
    synchronized int cachedFd() {
        return unixFd;
    }
}
