package io.github.sdagent.agent.bridge.listen;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.ProtocolFamily;
import java.net.SocketException;
import java.net.SocketImpl;

/**
 * Where the JDK's bind and listen calls go once the agent's bind interception has rewritten them (in
 * {@code sun.nio.ch.ServerSocketChannelImpl}, {@code NioSocketImpl}, {@code DatagramChannelImpl} and
 * {@code AsynchronousServerSocketChannelImpl}, the static calls to {@code sun.nio.ch.Net.bind/listen} are redirected
 * here, same arguments; in the classic {@code java.net.AbstractPlainSocketImpl} and
 * {@code AbstractPlainDatagramSocketImpl} of JDK 11 to 17, the calls of their natives, the receiver first), and Netty's native ones (in {@code io.netty.channel.unix.Socket} and its relocated copies,
 * the calls to its private natives {@code bind(IZ[BII)I} and {@code listen(II)I} come here with the calling class
 * as one more argument, so that the original native of that very copy runs). On the bootstrap class path,
 * JDK types only. The agent's dispatcher may take the bind over (adopt an inherited socket); otherwise, and
 * whenever the dispatcher fails, the original JDK method runs, through a handle the agent looked up. The
 * original's own exceptions reach the application unchanged; the dispatcher's never do.
 */
public final class ListenBridge {

    /** Which JDK class made the call. */
    public static final int SERVER_SOCKET_CHANNEL = 1;
    public static final int SERVER_SOCKET = 2;
    public static final int DATAGRAM_CHANNEL = 3;
    public static final int ASYNC_SERVER_CHANNEL = 4;
    /** Netty's native transport (epoll): a stream or a datagram socket, the dispatcher finds out which. */
    public static final int NETTY_NATIVE = 5;

    /** Implemented inside the agent ({@code io.github.sdagent.agent.activation.BindInterception}). */
    public interface Dispatcher {

        /** @return true when the dispatcher has bound {@code fd} itself (the original bind must not run) */
        boolean beforeBind(int kind, FileDescriptor fd, InetAddress address, int port);

        /** @return true when {@code fd} already listens (the original listen must not run) */
        boolean beforeListen(int kind, FileDescriptor fd, int backlog);

        /** {@code fd} is now listening (a stream socket) or bound (a datagram socket). */
        void up(int kind, FileDescriptor fd);

        /** The application's own bind of a listening socket failed (e.g. its port is taken); the failure goes on to it. */
        void bindFailed(int kind, InetAddress address, int port, IOException failure);

        /** As {@link #beforeBind}, for a native transport that holds the descriptor as a number. */
        boolean beforeBind(int kind, int fd, InetAddress address, int port);

        /** As {@link #beforeListen}, for a native transport. */
        boolean beforeListen(int kind, int fd);

        /**
         * {@code fd} of a native transport was bound ({@code listening} false: reported only if it is a datagram
         * socket) or is now listening.
         */
        void up(int kind, int fd, boolean listening);

        /** The private static natives {@code bind(IZ[BII)I} and {@code listen(II)I} of this Netty socket class. */
        MethodHandle[] nettyNatives(Class<?> socketClass) throws Exception;

        /**
         * As {@link #beforeBind}, for a classic {@code SocketImpl} or {@code DatagramSocketImpl} ({@code impl}); when
         * it adopts a socket it also sets the fields the skipped native bind would have set.
         */
        boolean beforeClassicBind(int kind, Object impl, InetAddress address, int port);

        /** The descriptor of a classic {@code SocketImpl} or {@code DatagramSocketImpl}. */
        FileDescriptor classicDescriptor(Object impl);

        /**
         * The classic implementations' originals, the receiver first: {@code socketBind(SocketImpl, InetAddress, int)},
         * {@code socketListen(SocketImpl, int)} and {@code bind0(DatagramSocketImpl, int, InetAddress)}.
         */
        MethodHandle[] classicNatives() throws Exception;
    }

    /** Per Netty socket class (the original and each relocated copy): its natives, found once. */
    private static final ClassValue<MethodHandle[]> NETTY_NATIVES = new ClassValue<MethodHandle[]>() {
        @Override
        protected MethodHandle[] computeValue(Class<?> type) {
            try {
                return dispatcher.nettyNatives(type);
            } catch (Exception e) {
                throw new IllegalStateException("sd-agent: cannot reach the natives of " + type.getName(), e);
            }
        }
    };

    private static volatile Dispatcher dispatcher;
    /** The classic implementations' natives: looked up at their first call (only JDK 11 to 17 have them). */
    private static volatile MethodHandle[] classicNatives;
    /** sun.nio.ch.Net.bind(ProtocolFamily, FileDescriptor, InetAddress, int) */
    private static volatile MethodHandle familyBind;
    /** sun.nio.ch.Net.bind(FileDescriptor, InetAddress, int) */
    private static volatile MethodHandle plainBind;
    /** sun.nio.ch.Net.listen(FileDescriptor, int) */
    private static volatile MethodHandle listen;

    private ListenBridge() {
    }

    /** Called once, before any class is rewritten to call this one. */
    public static void install(Dispatcher newDispatcher, MethodHandle newFamilyBind, MethodHandle newPlainBind,
                               MethodHandle newListen) {
        familyBind = newFamilyBind;
        plainBind = newPlainBind;
        listen = newListen;
        dispatcher = newDispatcher;
    }

    public static void bindServerChannel(ProtocolFamily family, FileDescriptor fd, InetAddress address, int port)
            throws IOException {
        if (!adopted(SERVER_SOCKET_CHANNEL, fd, address, port)) {
            try {
                familyBind.invokeExact(family, fd, address, port);
            } catch (Throwable t) {
                throw failed(SERVER_SOCKET_CHANNEL, address, port, t);
            }
        }
    }

    /** JDK 11 to 15: ServerSocketChannelImpl.bind calls {@code Net.bind(fd, address, port)}. */
    public static void bindServerChannel(FileDescriptor fd, InetAddress address, int port) throws IOException {
        if (!adopted(SERVER_SOCKET_CHANNEL, fd, address, port)) {
            try {
                plainBind.invokeExact(fd, address, port);
            } catch (Throwable t) {
                throw failed(SERVER_SOCKET_CHANNEL, address, port, t);
            }
        }
    }

    /** java.net.ServerSocket on JDK 11 and 12 (13 to 17 with -Djdk.net.usePlainSocketImpl): AbstractPlainSocketImpl.bind. */
    public static void bindPlainSocket(SocketImpl impl, InetAddress address, int port) throws IOException {
        if (!adoptedClassic(SERVER_SOCKET, impl, address, port)) {
            try {
                classic()[0].invokeExact(impl, address, port);
            } catch (Throwable t) {
                throw failed(SERVER_SOCKET, address, port, t);
            }
        }
    }

    /** AbstractPlainSocketImpl.listen. */
    public static void listenPlainSocket(SocketImpl impl, int backlog) throws IOException {
        FileDescriptor fd = classicDescriptor(impl);
        if (fd == null || !skipListen(SERVER_SOCKET, fd, backlog)) {
            try {
                classic()[1].invokeExact(impl, backlog);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
        if (fd != null) {
            up(SERVER_SOCKET, fd);
        }
    }

    /** java.net.DatagramSocket on JDK 11 to 14 (15 to 17 with -Djdk.net.usePlainDatagramSocketImpl). */
    public static void bindPlainDatagram(DatagramSocketImpl impl, int port, InetAddress address) throws SocketException {
        if (!adoptedClassic(DATAGRAM_CHANNEL, impl, address, port)) {
            try {
                classic()[2].invokeExact(impl, port, address);
            } catch (Throwable t) {
                if (t instanceof SocketException) {
                    throw (SocketException) t;
                }
                throw unchecked(t); // bind0 declares SocketException only
            }
        }
        FileDescriptor fd = classicDescriptor(impl);
        if (fd != null) {
            up(DATAGRAM_CHANNEL, fd);
        }
    }

    private static MethodHandle[] classic() throws Exception {
        MethodHandle[] natives = classicNatives;
        if (natives == null) {
            natives = dispatcher.classicNatives(); // the calling class is loaded: its methods can be looked up now
            classicNatives = natives;
        }
        return natives;
    }

    private static boolean adoptedClassic(int kind, Object impl, InetAddress address, int port) {
        Dispatcher current = dispatcher;
        if (current == null) {
            return false;
        }
        try {
            return current.beforeClassicBind(kind, impl, address, port);
        } catch (Throwable ignored) {
            return false; // never into the application: bind as usual
        }
    }

    /** The classic implementation's descriptor, or null (then the socket is bound and listens as usual, unobserved). */
    private static FileDescriptor classicDescriptor(Object impl) {
        Dispatcher current = dispatcher;
        if (current == null) {
            return null;
        }
        try {
            return current.classicDescriptor(impl);
        } catch (Throwable ignored) {
            return null;
        }
    }

    public static void bindDatagramChannel(ProtocolFamily family, FileDescriptor fd, InetAddress address, int port)
            throws IOException {
        if (!adopted(DATAGRAM_CHANNEL, fd, address, port)) {
            try {
                familyBind.invokeExact(family, fd, address, port);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
        up(DATAGRAM_CHANNEL, fd);
    }

    public static void bindServerSocket(FileDescriptor fd, InetAddress address, int port) throws IOException {
        if (!adopted(SERVER_SOCKET, fd, address, port)) {
            try {
                plainBind.invokeExact(fd, address, port);
            } catch (Throwable t) {
                throw failed(SERVER_SOCKET, address, port, t);
            }
        }
    }

    public static void bindAsyncServerChannel(FileDescriptor fd, InetAddress address, int port) throws IOException {
        if (!adopted(ASYNC_SERVER_CHANNEL, fd, address, port)) {
            try {
                plainBind.invokeExact(fd, address, port);
            } catch (Throwable t) {
                throw failed(ASYNC_SERVER_CHANNEL, address, port, t);
            }
        }
    }

    public static void listenAsyncServerChannel(FileDescriptor fd, int backlog) throws IOException {
        listen(ASYNC_SERVER_CHANNEL, fd, backlog);
    }

    /**
     * Netty's {@code Socket.bind(int fd, boolean ipv6, byte[] address, int scopeId, int port)}: 0 or a negative errno,
     * as the native returns.
     */
    public static int bindNetty(int fd, boolean ipv6, byte[] address, int scopeId, int port, Class<?> socketClass) {
        Dispatcher current = dispatcher;
        boolean adopted = false;
        try {
            adopted = current.beforeBind(NETTY_NATIVE, fd, InetAddress.getByAddress(address), port);
        } catch (Throwable ignored) {
            // never into the application: bind as usual
        }
        int result = 0;
        if (!adopted) {
            try {
                result = (int) NETTY_NATIVES.get(socketClass)[0].invokeExact(fd, ipv6, address, scopeId, port);
            } catch (Throwable t) {
                throw unchecked(t);
            }
        }
        if (result >= 0) {
            try {
                current.up(NETTY_NATIVE, fd, false);
            } catch (Throwable ignored) {
                // never into the application
            }
        }
        return result;
    }

    /** Netty's {@code Socket.listen(int fd, int backlog)}: 0 or a negative errno. */
    public static int listenNetty(int fd, int backlog, Class<?> socketClass) {
        Dispatcher current = dispatcher;
        boolean skip = false;
        try {
            skip = current.beforeListen(NETTY_NATIVE, fd);
        } catch (Throwable ignored) {
            // never into the application: listen as usual
        }
        int result = 0;
        if (!skip) {
            try {
                result = (int) NETTY_NATIVES.get(socketClass)[1].invokeExact(fd, backlog);
            } catch (Throwable t) {
                throw unchecked(t);
            }
        }
        if (result >= 0) {
            try {
                current.up(NETTY_NATIVE, fd, true);
            } catch (Throwable ignored) {
                // never into the application
            }
        }
        return result;
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        throw new IllegalStateException(t); // the natives declare no checked exception
    }

    public static void listenServerChannel(FileDescriptor fd, int backlog) throws IOException {
        listen(SERVER_SOCKET_CHANNEL, fd, backlog);
    }

    public static void listenServerSocket(FileDescriptor fd, int backlog) throws IOException {
        listen(SERVER_SOCKET, fd, backlog);
    }

    private static void listen(int kind, FileDescriptor fd, int backlog) throws IOException {
        if (!skipListen(kind, fd, backlog)) {
            try {
                listen.invokeExact(fd, backlog);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
        up(kind, fd);
    }

    /** Whether {@code fd} listens already (an adopted socket): then the original listen must not run. */
    private static boolean skipListen(int kind, FileDescriptor fd, int backlog) {
        Dispatcher current = dispatcher;
        if (current == null) {
            return false;
        }
        try {
            return current.beforeListen(kind, fd, backlog);
        } catch (Throwable ignored) {
            return false; // never into the application: listen as usual
        }
    }

    private static boolean adopted(int kind, FileDescriptor fd, InetAddress address, int port) {
        Dispatcher current = dispatcher;
        if (current == null) {
            return false;
        }
        try {
            return current.beforeBind(kind, fd, address, port);
        } catch (Throwable ignored) {
            return false; // never into the application: bind as usual
        }
    }

    private static void up(int kind, FileDescriptor fd) {
        Dispatcher current = dispatcher;
        if (current != null) {
            try {
                current.up(kind, fd);
            } catch (Throwable ignored) {
                // never into the application
            }
        }
    }

    /** Tells the dispatcher that a listening socket's bind failed, then rethrows the original's failure unchanged. */
    private static IOException failed(int kind, InetAddress address, int port, Throwable t) throws IOException {
        Dispatcher current = dispatcher;
        if (current != null && t instanceof IOException) {
            try {
                current.bindFailed(kind, address, port, (IOException) t);
            } catch (Throwable ignored) {
                // never into the application
            }
        }
        throw rethrow(t);
    }

    /** The original's exceptions, unchanged: it declares IOException only. */
    private static IOException rethrow(Throwable t) throws IOException {
        if (t instanceof IOException) {
            throw (IOException) t;
        }
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        throw new IOException(t);
    }
}
