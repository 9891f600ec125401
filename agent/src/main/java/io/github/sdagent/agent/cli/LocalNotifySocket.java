package io.github.sdagent.agent.cli;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The notify socket {@code check} binds in systemd's place: AF_UNIX datagrams with SO_PASSCRED, so each message
 * arrives with its sender's pid (as systemd sees it, to apply NotifyAccess=). JNA direct mapping; the struct
 * layouts are those of 64-bit Linux, the only platform core supports. Also {@code kill(2)}, since Java 8's
 * Process cannot signal other processes.
 */
final class LocalNotifySocket implements AutoCloseable {

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PASSCRED = 16;
    private static final int SO_RCVBUF = 8;
    private static final int SCM_RIGHTS = 1;
    private static final int SCM_CREDENTIALS = 2;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int BUFFER = 65536;
    private static final int CONTROL = 512;

    static {
        Native.register(LocalNotifySocket.class, Platform.C_LIBRARY_NAME);
    }

    private static native int socket(int domain, int type, int protocol);

    private static native int bind(int fd, byte[] address, int length);

    private static native int setsockopt(int fd, int level, int name, int[] value, int length);

    private static native int poll(byte[] fds, long count, int timeoutMillis);

    private static native long recvmsg(int fd, Pointer message, int flags);

    private static native int close(int fd);

    private static native int kill(int pid, int signal);

    private static native int listen(int fd, int backlog);

    private static native int dup(int fd);

    private static native int dup2(int fd, int target);

    /** One datagram and the pid of the process that sent it (0 if the kernel gave none). */
    static final class Message {
        final String text;
        final int pid;

        Message(String text, int pid) {
            this.text = text;
            this.pid = pid;
        }
    }

    private final int fd;
    private final File path;
    private final Memory header = new Memory(56);
    private final Memory iovec = new Memory(16);
    private final Memory buffer = new Memory(BUFFER);
    private final Memory control = new Memory(CONTROL);

    LocalNotifySocket(File path) throws IOException {
        this.path = path;
        byte[] name = path.getPath().getBytes(StandardCharsets.UTF_8);
        if (name.length > 107) {
            throw new IOException("socket path too long for AF_UNIX: " + path);
        }
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket(AF_UNIX, SOCK_DGRAM) failed: errno " + Native.getLastError());
        }
        byte[] address = new byte[110];
        address[0] = AF_UNIX; // sa_family_t, little endian on both supported ABIs
        System.arraycopy(name, 0, address, 2, name.length);
        if (bind(fd, address, 2 + name.length + 1) != 0) {
            int errno = Native.getLastError();
            close(fd);
            throw new IOException("cannot bind the notify socket " + path + ": errno " + errno);
        }
        setsockopt(fd, SOL_SOCKET, SO_PASSCRED, new int[] {1}, 4);
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, new int[] {8 * 1024 * 1024}, 4); // like systemd: no message lost
    }

    String path() {
        return path.getPath();
    }

    /** The next datagram, or null when none arrives within {@code timeoutMillis}. */
    Message receive(int timeoutMillis) throws IOException {
        byte[] pollfd = new byte[8];
        pollfd[0] = (byte) fd;
        pollfd[1] = (byte) (fd >> 8);
        pollfd[2] = (byte) (fd >> 16);
        pollfd[3] = (byte) (fd >> 24);
        pollfd[4] = 1; // POLLIN
        if (poll(pollfd, 1, Math.max(0, timeoutMillis)) <= 0) {
            return null;
        }
        iovec.setPointer(0, buffer);
        iovec.setLong(8, BUFFER);
        header.clear();
        header.setPointer(16, iovec);
        header.setLong(24, 1);
        header.setPointer(32, control);
        header.setLong(40, CONTROL);
        long n = recvmsg(fd, header, MSG_CMSG_CLOEXEC);
        if (n < 0) {
            throw new IOException("recvmsg on the notify socket failed: errno " + Native.getLastError());
        }
        int pid = 0;
        long controlLength = header.getLong(40);
        for (long at = 0; at + 16 <= controlLength; ) {
            long length = control.getLong(at);
            int level = control.getInt(at + 8);
            int type = control.getInt(at + 12);
            if (length < 16) {
                break;
            }
            if (level == SOL_SOCKET && type == SCM_CREDENTIALS) {
                pid = control.getInt(at + 16);
            } else if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                for (long fdAt = at + 16; fdAt + 4 <= at + length; fdAt += 4) {
                    close(control.getInt(fdAt)); // FDSTORE=1: check keeps no descriptors
                }
            }
            at += (length + 7) & ~7L;
        }
        return new Message(new String(buffer.getByteArray(0, (int) n), StandardCharsets.UTF_8), pid);
    }

    /**
     * A listening TCP socket on {@code address} (IPv4 or IPv6 literal, no name lookup), as a .socket unit's
     * ListenStream= makes it: SO_REUSEADDR, backlog 4096 like systemd's SOMAXCONN default.
     */
    static int listenStream(java.net.InetAddress address, int port) throws IOException {
        boolean v6 = address instanceof java.net.Inet6Address;
        int fd = socket(v6 ? 10 : 2 /* AF_INET6 : AF_INET */, 1 /* SOCK_STREAM */ | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket(" + (v6 ? "AF_INET6" : "AF_INET") + ", SOCK_STREAM) failed: errno " + Native.getLastError());
        }
        setsockopt(fd, SOL_SOCKET, 2 /* SO_REUSEADDR */, new int[] {1}, 4);
        byte[] raw = address.getAddress();
        byte[] sockaddr = new byte[v6 ? 28 : 16];
        sockaddr[0] = (byte) (v6 ? 10 : 2);
        sockaddr[2] = (byte) (port >> 8); // network byte order
        sockaddr[3] = (byte) port;
        System.arraycopy(raw, 0, sockaddr, v6 ? 8 : 4, raw.length);
        if (bind(fd, sockaddr, sockaddr.length) != 0 || listen(fd, 4096) != 0) {
            int errno = Native.getLastError();
            close(fd);
            throw new IOException("cannot listen on " + address.getHostAddress() + " port " + port + ": errno " + errno
                    + (errno == 98 ? " (address in use)" : ""));
        }
        return fd;
    }

    /**
     * Makes {@code fd} this process's standard input, so that a process started now inherits it as its fd 0 (Java's
     * ProcessBuilder passes no other descriptor). Returns the previous stdin for {@link #restoreStandardInput}.
     */
    static int replaceStandardInput(int fd) throws IOException {
        int saved = dup(0);
        if (saved < 0 || dup2(fd, 0) < 0) {
            throw new IOException("cannot hand the listening socket over: errno " + Native.getLastError());
        }
        return saved;
    }

    static void restoreStandardInput(int saved) {
        dup2(saved, 0);
        close(saved);
    }

    static void closeDescriptor(int fd) {
        close(fd);
    }

    /** kill(2); false when the process does not exist (any more). */
    static boolean signal(int pid, int signal) {
        return pid > 0 && kill(pid, signal) == 0;
    }

    @Override
    public void close() {
        close(fd);
        if (!path.delete() && path.exists()) {
            path.deleteOnExit();
        }
    }
}
