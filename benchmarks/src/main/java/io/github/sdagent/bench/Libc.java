package io.github.sdagent.bench;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The few libc calls the benchmarks need (the notify receiver and the raw-sendmsg baseline), through
 * JNA direct mapping like core. Struct layouts are the LP64 Linux ones (x86_64, aarch64).
 */
final class Libc {
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;
    static final int SCM_RIGHTS = 1;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_WAITFORONE = 0x10000;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int CLOCK_MONOTONIC = 1;
    static final int EAGAIN = 11;
    static final int EINTR = 4;

    static final int SOCKADDR_UN_SIZE = 110;
    static final int IOVEC_SIZE = 16;
    static final int MSGHDR_SIZE = 56;
    static final int MMSGHDR_SIZE = 64;

    static {
        if (!Platform.isLinux() || !Platform.is64Bit()) {
            throw new IllegalStateException("benchmarks need 64-bit Linux, this is " + System.getProperty("os.name")
                    + "/" + System.getProperty("os.arch"));
        }
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private Libc() {
    }

    static native int socket(int domain, int type, int protocol);

    static native int bind(int fd, Pointer addr, int addrLen);

    static native int setsockopt(int fd, int level, int name, Pointer value, int valueLen);

    static native long sendmsg(int fd, Pointer msghdr, int flags);

    static native int recvmmsg(int fd, Pointer mmsghdrs, int vlen, int flags, Pointer timeout);

    static native int close(int fd);

    static native int clock_gettime(int clock, Pointer timespec);

    static native String strerror(int errno);

    /** {@code sockaddr_un} for a filesystem path; returns the memory, its used length is {@link #addressLength}. */
    static Memory unixAddress(String path) {
        byte[] bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length >= 108) {
            throw new IllegalArgumentException("socket path longer than 107 bytes: " + path);
        }
        Memory address = new Memory(SOCKADDR_UN_SIZE);
        address.clear();
        address.setShort(0, (short) AF_UNIX);
        address.write(2, bytes, 0, bytes.length);
        return address;
    }

    static int addressLength(String path) {
        return 2 + path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
    }

    static String lastError(String what) {
        int errno = Native.getLastError();
        return what + ": " + strerror(errno) + " (errno " + errno + ")";
    }

    static int datagramSocket() {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalStateException(lastError("socket(AF_UNIX, SOCK_DGRAM)"));
        }
        return fd;
    }

    /** CLOCK_MONOTONIC in nanoseconds, read directly (to check that System.nanoTime is the same clock). */
    static long monotonicNanos(Memory timespec) {
        clock_gettime(CLOCK_MONOTONIC, timespec);
        return timespec.getLong(0) * 1_000_000_000L + timespec.getLong(8);
    }
}
