package io.github.sdagent.core;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.util.Locale;

/**
 * The libc calls core needs, bound with JNA direct mapping ({@code Native.register}): no proxy, no
 * reflection on the call path. Internal. Loading this class loads JNA and its native library, so only code
 * that has already seen a systemd variable touches it.
 *
 * <p>Struct layouts elsewhere in core are written by hand for the 64-bit Linux ABI (x86_64, aarch64), which
 * is why any other platform is refused here instead of guessed at.
 */
final class Libc {
    static final int SOCK_CLOEXEC = 0x80000;
    static final int O_CLOEXEC = 0x80000;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int F_GETFD = 1;
    static final int F_SETFD = 2;
    static final int FD_CLOEXEC = 1;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int O_NONBLOCK = 0x800;
    static final int EPOLL_CTL_ADD = 1;
    static final int EEXIST = 17;
    static final int SHUT_WR = 1;
    static final short POLLHUP = 0x10;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;
    static final int SO_SNDTIMEO = 21;
    static final int SO_TYPE = 3;
    static final int SO_ACCEPTCONN = 30;
    static final int SO_DOMAIN = 39;

    static final int EPERM = 1;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int ENODEV = 19;
    static final int ENOSYS = 38;
    static final int ENOPROTOOPT = 92;
    static final int EPROTONOSUPPORT = 93;
    static final int ESOCKTNOSUPPORT = 94;
    static final int EOPNOTSUPP = 95;
    static final int EPFNOSUPPORT = 96;
    static final int EAFNOSUPPORT = 97;
    static final int EADDRINUSE = 98;
    static final int ENOTSOCK = 88;

    private static final Throwable LOAD_FAILURE = register();

    private Libc() {
    }

    private static Throwable register() {
        try {
            String os = System.getProperty("os.name", "");
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            boolean supported = os.equals("Linux")
                    && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
            if (!supported) {
                return new UnsupportedOperationException("sd-agent core supports 64-bit Linux on x86_64 and "
                        + "aarch64 only (its socket structures are laid out for that ABI); this JVM runs on "
                        + os + "/" + arch);
            }
            Native.register(Libc.class, Platform.C_LIBRARY_NAME);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /**
     * Throws a plain-spoken IOException when the native binding could not be made (unsupported platform,
     * JNA missing, or native access denied by the JVM).
     */
    static void ensureLoaded() throws IOException {
        if (LOAD_FAILURE != null) {
            throw new IOException(describeLoadFailure(LOAD_FAILURE), LOAD_FAILURE);
        }
    }

    static String describeLoadFailure(Throwable failure) {
        if (failure instanceof UnsupportedOperationException) {
            return failure.getMessage();
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String name = t.getClass().getName();
            String message = String.valueOf(t.getMessage());
            if (name.equals("java.lang.IllegalCallerException") || message.contains("native access")) {
                return "sd-agent core cannot call libc: this JVM denies native access to JNA (JDK 22+ "
                        + "restricted methods: " + message + "); start java with "
                        + "--enable-native-access=ALL-UNNAMED (or the name of the module that holds JNA)";
            }
        }
        return "sd-agent core cannot call libc through JNA: " + failure;
    }

    /** errno of the last failed call on this thread, with its strerror text and number. */
    static String lastError() {
        return describe(Native.getLastError());
    }

    static String describe(int errno) {
        String text;
        try {
            text = strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            text = null;
        }
        return (text == null ? "error" : text) + " (errno " + errno + ")";
    }

    static boolean isNotSupported(int errno) {
        return errno == EOPNOTSUPP || errno == ENOSYS || errno == EAFNOSUPPORT || errno == EPFNOSUPPORT
                || errno == EPROTONOSUPPORT || errno == ESOCKTNOSUPPORT || errno == ENOPROTOOPT;
    }

    static native int socket(int domain, int type, int protocol);

    static native int connect(int fd, Pointer address, int length);

    static native int bind(int fd, Pointer address, int length);

    static native long sendmsg(int fd, Pointer message, int flags);

    static native long recv(int fd, Pointer buffer, long length, int flags);

    static native int setsockopt(int fd, int level, int name, Pointer value, int length);

    static native int shutdown(int fd, int how);

    static native int close(int fd);

    static native int pipe2(int[] fds, int flags);

    static native int poll(Pointer fds, long count, int timeoutMillis);

    static native int fcntl(int fd, int command, int argument);

    static native int dup2(int from, int to);

    static native int epoll_ctl(int epfd, int op, int fd, byte[] event);

    static native int getsockname(int fd, byte[] address, int[] length);

    static native int getsockopt(int fd, int level, int name, int[] value, int[] length);

    static native int getpid();

    static native String strerror(int errno);
}
