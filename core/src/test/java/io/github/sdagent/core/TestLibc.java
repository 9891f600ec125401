package io.github.sdagent.core;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.nio.charset.StandardCharsets;

/** libc for the tests' own receivers and probes (direct mapping, like production code). */
final class TestLibc {
    static final int AF_UNIX = 1;
    static final int AF_VSOCK = 40;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_PASSCRED = 16;
    static final int SCM_RIGHTS = 1;
    static final int SCM_CREDENTIALS = 2;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int MSG_TRUNC = 0x20;
    static final int F_GETFD = 1;
    static final int F_SETFD = 2;
    static final int FD_CLOEXEC = 1;
    static final int CLOCK_MONOTONIC = 1;

    static {
        Native.register(TestLibc.class, Platform.C_LIBRARY_NAME);
    }

    private TestLibc() {
    }

    static native int socket(int domain, int type, int protocol);

    static native int bind(int fd, Pointer address, int length);

    static native int listen(int fd, int backlog);

    static native int socketpair(int domain, int type, int protocol, int[] fds);

    static native int accept(int fd, Pointer address, Pointer length);

    static native int setsockopt(int fd, int level, int name, int[] value, int length);

    static native int getsockname(int fd, Pointer address, int[] length);

    static native long recvmsg(int fd, Pointer message, int flags);

    static native int poll(Pointer fds, long count, int timeoutMillis);

    static native int close(int fd);

    static native long write(int fd, byte[] bytes, long count);

    static native long read(int fd, byte[] bytes, long count);

    static native int pipe2(int[] fds, int flags);

    static native int fcntl(int fd, int command, int argument);

    static native int clock_gettime(int clock, Pointer timespec);

    static native String strerror(int errno);

    static int check(int result, String what) {
        if (result < 0) {
            int errno = Native.getLastError();
            throw new IllegalStateException(what + " failed: " + strerror(errno) + " (errno " + errno + ")");
        }
        return result;
    }

    static long monotonicMicros() {
        Memory ts = new Memory(16);
        check(clock_gettime(CLOCK_MONOTONIC, ts), "clock_gettime");
        return ts.getLong(0) * 1_000_000L + ts.getLong(8) / 1000;
    }

    /** A socket address and its length as the kernel takes them. */
    record Address(Memory memory, int length) {
    }

    /** sockaddr_un for a path (NUL-terminated) or, when the name starts with '@', the abstract namespace. */
    static Address unixAddress(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = name.startsWith("@");
        Memory address = new Memory(112);
        address.clear();
        address.setShort(0, (short) AF_UNIX);
        address.write(2, bytes, 0, bytes.length);
        if (abstractName) {
            address.setByte(2, (byte) 0);
        }
        return new Address(address, 2 + bytes.length + (abstractName ? 0 : 1));
    }
}
