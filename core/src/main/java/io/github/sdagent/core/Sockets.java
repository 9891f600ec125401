package io.github.sdagent.core;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Facts about a socket file descriptor and the few operations socket activation needs, in the spirit of
 * libsystemd's {@code sd_is_socket}/{@code sd_is_socket_inet}: what kind of socket a descriptor passed in
 * LISTEN_FDS is, where it is bound, and putting it in place of another descriptor. libc through JNA; every
 * method loads the native binding on first use.
 *
 * <pre>{@code
 * for (int fd = Daemon.LISTEN_FDS_START; fd < Daemon.LISTEN_FDS_START + Daemon.listenFds(false); fd++) {
 *     if (Sockets.isSocketInet(fd, Sockets.AF_UNSPEC, Sockets.SOCK_STREAM, 1, 8080)) { ... }
 * }
 * }</pre>
 */
public final class Sockets {
    public static final int AF_UNSPEC = 0;
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_SEQPACKET = 5;

    /** sizeof(struct sockaddr_storage). */
    private static final int SOCKADDR_STORAGE = 128;

    private Sockets() {
    }

    /**
     * sd_is_socket: whether {@code fd} is a socket of the given family, type and listening state.
     *
     * @param family    {@link #AF_INET}, {@link #AF_INET6}, {@link #AF_UNIX}..., or {@link #AF_UNSPEC} for any
     * @param type      {@link #SOCK_STREAM}, {@link #SOCK_DGRAM}..., or 0 for any
     * @param listening 1: must be listening, 0: must not be, negative: either
     * @return false when {@code fd} is open but not a socket, or a socket of another kind
     * @throws IOException when {@code fd} is not open (EBADF) or the native binding is unavailable
     */
    public static boolean isSocket(int fd, int family, int type, int listening) throws IOException {
        int actualType = optionOrNotSocket(fd, Libc.SO_TYPE, "SO_TYPE");
        if (actualType < 0 || type != 0 && actualType != type) {
            return false;
        }
        if (family != AF_UNSPEC && family(fd) != family) {
            return false;
        }
        return listening < 0 || isListening(fd) == (listening > 0);
    }

    /**
     * sd_is_socket_inet: as {@link #isSocket}, and an IPv4 or IPv6 socket, bound to {@code port} unless that is 0.
     *
     * @param family {@link #AF_INET}, {@link #AF_INET6}, or {@link #AF_UNSPEC} for either
     */
    public static boolean isSocketInet(int fd, int family, int type, int listening, int port) throws IOException {
        if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) {
            throw new IllegalArgumentException("isSocketInet: family must be AF_UNSPEC, AF_INET or AF_INET6, not "
                    + family);
        }
        if (!isSocket(fd, family, type, listening)) {
            return false;
        }
        InetSocketAddress local = localAddress(fd);
        return local != null && (port == 0 || local.getPort() == port);
    }

    /** The socket's type (SO_TYPE): {@link #SOCK_STREAM}, {@link #SOCK_DGRAM}, ... */
    public static int type(int fd) throws IOException {
        return option(fd, Libc.SO_TYPE, "SO_TYPE");
    }

    /** The socket's address family (SO_DOMAIN): {@link #AF_INET}, {@link #AF_INET6}, {@link #AF_UNIX}, ... */
    public static int family(int fd) throws IOException {
        return option(fd, Libc.SO_DOMAIN, "SO_DOMAIN");
    }

    /** Whether the socket is listening (SO_ACCEPTCONN). */
    public static boolean isListening(int fd) throws IOException {
        return option(fd, Libc.SO_ACCEPTCONN, "SO_ACCEPTCONN") != 0;
    }

    /**
     * The address the socket is bound to (getsockname), or null when it is not an IPv4/IPv6 socket. An unbound
     * socket gives the wildcard address and port 0.
     */
    public static InetSocketAddress localAddress(int fd) throws IOException {
        Libc.ensureLoaded();
        byte[] address = new byte[SOCKADDR_STORAGE];
        int[] length = {address.length};
        if (Libc.getsockname(fd, address, length) != 0) {
            throw new IOException("getsockname on fd " + fd + " failed: " + Libc.lastError());
        }
        return inetAddress(address, length[0]);
    }

    /**
     * Makes {@code to} refer to the socket (open file description) of {@code from}, closing what {@code to} referred
     * to before (dup2). {@code from} stays open.
     */
    public static void duplicateOnto(int from, int to) throws IOException {
        Libc.ensureLoaded();
        while (Libc.dup2(from, to) < 0) {
            int errno = com.sun.jna.Native.getLastError();
            if (errno != Libc.EINTR) {
                throw new IOException("dup2(" + from + ", " + to + ") failed: " + Libc.describe(errno));
            }
        }
    }

    /** Sets FD_CLOEXEC, so that processes this one starts do not inherit {@code fd}. */
    public static void setCloseOnExec(int fd) throws IOException {
        NotifySocket.setCloseOnExec(fd);
    }

    /** Whether FD_CLOEXEC is set on {@code fd}. */
    public static boolean isCloseOnExec(int fd) throws IOException {
        Libc.ensureLoaded();
        int flags = Libc.fcntl(fd, Libc.F_GETFD, 0);
        if (flags < 0) {
            throw new IOException("fcntl(F_GETFD) on fd " + fd + " failed: " + Libc.lastError());
        }
        return (flags & Libc.FD_CLOEXEC) != 0;
    }

    /** Whether O_NONBLOCK is set on the open file description {@code fd} refers to. */
    public static boolean isNonBlocking(int fd) throws IOException {
        Libc.ensureLoaded();
        int flags = Libc.fcntl(fd, Libc.F_GETFL, 0);
        if (flags < 0) {
            throw new IOException("fcntl(F_GETFL) on fd " + fd + " failed: " + Libc.lastError());
        }
        return (flags & Libc.O_NONBLOCK) != 0;
    }

    /**
     * Sets or clears O_NONBLOCK. It belongs to the open file description, so every descriptor sharing it (a dup, the
     * copy systemd keeps of a socket it passed) sees the change.
     */
    public static void setNonBlocking(int fd, boolean nonBlocking) throws IOException {
        Libc.ensureLoaded();
        int flags = Libc.fcntl(fd, Libc.F_GETFL, 0);
        int wanted = nonBlocking ? flags | Libc.O_NONBLOCK : flags & ~Libc.O_NONBLOCK;
        if (flags < 0 || wanted != flags && Libc.fcntl(fd, Libc.F_SETFL, wanted) < 0) {
            throw new IOException("cannot " + (nonBlocking ? "set" : "clear") + " O_NONBLOCK on fd " + fd + ": "
                    + Libc.lastError());
        }
    }

    /** One entry of an epoll set: which descriptor, with which events and user data (from /proc/self/fdinfo). */
    public static final class EpollRegistration {
        public final int epollFd;
        public final int fd;
        public final int events;
        public final long data;

        EpollRegistration(int epollFd, int fd, int events, long data) {
            this.epollFd = epollFd;
            this.fd = fd;
            this.events = events;
            this.data = data;
        }

        @Override
        public String toString() {
            return "epoll fd " + epollFd + ": fd " + fd + " events 0x" + Integer.toHexString(events) + " data 0x"
                    + Long.toHexString(data);
        }
    }

    /**
     * The epoll sets of this process that {@code fd} is in. An epoll entry belongs to the open file, not to the
     * number: after {@link #duplicateOnto} replaces what {@code fd} refers to, the old entries are gone (the kernel
     * drops them with the file) and must be added again with {@link #epollAdd}. Pure Java (/proc).
     */
    public static List<EpollRegistration> epollRegistrations(int fd) throws IOException {
        List<EpollRegistration> found = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Paths.get("/proc/self/fd"))) {
            for (Path link : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(link).toString();
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                if (!target.equals("anon_inode:[eventpoll]")) {
                    continue;
                }
                int epollFd = Integer.parseInt(link.getFileName().toString());
                List<String> lines;
                try {
                    lines = Files.readAllLines(Paths.get("/proc/self/fdinfo/" + epollFd), StandardCharsets.US_ASCII);
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                for (String line : lines) {
                    EpollRegistration entry = parseEpollEntry(epollFd, line);
                    if (entry != null && entry.fd == fd) {
                        found.add(entry);
                    }
                }
            }
        }
        return found.isEmpty() ? Collections.<EpollRegistration>emptyList() : found;
    }

    /** {@code tfd:        5 events:       19 data:                5  pos:0 ino:... sdev:...}, or null. */
    static EpollRegistration parseEpollEntry(int epollFd, String line) {
        String[] words = line.trim().split("\\s+");
        if (words.length < 6 || !words[0].equals("tfd:") || !words[2].equals("events:") || !words[4].equals("data:")) {
            return null;
        }
        try {
            return new EpollRegistration(epollFd, Integer.parseInt(words[1]), (int) Long.parseLong(words[3], 16),
                    Long.parseUnsignedLong(words[5], 16));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** epoll_ctl(EPOLL_CTL_ADD); an entry that is there already (EEXIST) is left as it is. */
    public static void epollAdd(int epollFd, int fd, int events, long data) throws IOException {
        Libc.ensureLoaded();
        // struct epoll_event: packed on x86_64 (12 bytes), naturally aligned elsewhere (16 bytes)
        boolean packed = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT).matches("amd64|x86_64");
        byte[] event = new byte[packed ? 12 : 16];
        int dataAt = packed ? 4 : 8;
        for (int i = 0; i < 4; i++) {
            event[i] = (byte) (events >>> (8 * i));
        }
        for (int i = 0; i < 8; i++) {
            event[dataAt + i] = (byte) (data >>> (8 * i));
        }
        if (Libc.epoll_ctl(epollFd, Libc.EPOLL_CTL_ADD, fd, event) != 0) {
            int errno = com.sun.jna.Native.getLastError();
            if (errno != Libc.EEXIST) {
                throw new IOException("epoll_ctl(" + epollFd + ", ADD, " + fd + ") failed: " + Libc.describe(errno));
            }
        }
    }

    /** struct sockaddr_in / sockaddr_in6 (Linux layout; the family field is in host order, little-endian here). */
    static InetSocketAddress inetAddress(byte[] address, int length) throws IOException {
        int family = (address[0] & 0xff) | (address[1] & 0xff) << 8;
        int port = (address[2] & 0xff) << 8 | address[3] & 0xff;
        try {
            if (family == AF_INET && length >= 8) {
                byte[] ip = {address[4], address[5], address[6], address[7]};
                return new InetSocketAddress(InetAddress.getByAddress(ip), port);
            }
            if (family == AF_INET6 && length >= 28) {
                byte[] ip = new byte[16];
                System.arraycopy(address, 8, ip, 0, 16);
                int scope = (address[24] & 0xff) | (address[25] & 0xff) << 8 | (address[26] & 0xff) << 16
                        | (address[27] & 0xff) << 24;
                // getByAddress turns ::ffff:a.b.c.d into an Inet4Address, which is what such a socket serves
                InetAddress inet = scope == 0 ? InetAddress.getByAddress(ip) : Inet6Address.getByAddress(null, ip, scope);
                return new InetSocketAddress(inet, port);
            }
        } catch (UnknownHostException impossible) {
            throw new IOException("malformed socket address of length " + length, impossible);
        }
        return null;
    }

    private static int option(int fd, int name, String text) throws IOException {
        int value = optionOrNotSocket(fd, name, text);
        if (value < 0) {
            throw new IOException("fd " + fd + " is not a socket");
        }
        return value;
    }

    /** getsockopt of an int-valued option at any level (SOL_SOCKET = 1, IPPROTO_TCP = 6, ...). */
    public static int intOption(int fd, int level, int name) throws IOException {
        Libc.ensureLoaded();
        int[] value = {0};
        int[] length = {4};
        if (Libc.getsockopt(fd, level, name, value, length) != 0) {
            throw new IOException("getsockopt(" + level + ", " + name + ") on fd " + fd + " failed: " + Libc.lastError());
        }
        return value[0];
    }

    /** setsockopt of an int-valued option at any level. */
    public static void setIntOption(int fd, int level, int name, int value) throws IOException {
        Libc.ensureLoaded();
        com.sun.jna.Memory memory = new com.sun.jna.Memory(4);
        memory.setInt(0, value);
        if (Libc.setsockopt(fd, level, name, memory, 4) != 0) {
            throw new IOException("setsockopt(" + level + ", " + name + ", " + value + ") on fd " + fd + " failed: "
                    + Libc.lastError());
        }
    }

    /** A new, unbound socket (close-on-exec), for comparing another socket's options with the defaults. */
    public static int openSocket(int family, int type) throws IOException {
        Libc.ensureLoaded();
        int fd = Libc.socket(family, type | 02000000, 0); // SOCK_CLOEXEC
        if (fd < 0) {
            throw new IOException("socket(" + family + ", " + type + ") failed: " + Libc.lastError());
        }
        return fd;
    }

    /** close(2), errors ignored. */
    public static void close(int fd) throws IOException {
        Libc.ensureLoaded();
        Libc.close(fd);
    }

    /** The SOL_SOCKET option's value, or -1 when {@code fd} is not a socket. */
    private static int optionOrNotSocket(int fd, int name, String text) throws IOException {
        Libc.ensureLoaded();
        int[] value = {0};
        int[] length = {4};
        if (Libc.getsockopt(fd, Libc.SOL_SOCKET, name, value, length) != 0) {
            int errno = com.sun.jna.Native.getLastError();
            if (errno == Libc.ENOTSOCK) {
                return -1;
            }
            throw new IOException("getsockopt(" + text + ") on fd " + fd + " failed: " + Libc.describe(errno));
        }
        return value[0];
    }
}
