package io.github.sdagent.agent.activation;

import io.github.sdagent.core.Daemon;
import io.github.sdagent.core.Sockets;

import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * Socket activation for unmodified servers: when systemd passed listening sockets (LISTEN_PID is this JVM,
 * LISTEN_FDS > 0), each bind of the application that one of them can serve gets that socket instead of a new
 * one. The inherited descriptor is duplicated onto the application's own (dup2), and the native bind and listen
 * are skipped, so the application's channel is bound and listening on systemd's socket: accept, selectors,
 * options and close work unchanged, and the kernel keeps the socket (and its queue of connections) open while the
 * application closes, re-binds, or restarts.
 *
 * <p>Matching ({@link #match}): an inherited socket of the right type (stream for server sockets, datagram for
 * datagram channels) serves a bind to the port it is bound to, when the addresses are equal or either is a
 * wildcard, whatever the address family (the JDK's dual-stack IPv6 channel takes an IPv4 socket). With
 * {@code sockets=name:port+...}, the socket named so in LISTEN_FDNAMES serves binds to that port instead.
 */
public final class SocketActivation implements BindAdopter {

    private final SocketMapping mapping;
    private final Runnable nativeInit;
    private final Consumer<String> problems;
    private final Consumer<String> info;
    private List<InheritedSocket> inherited;

    private SocketActivation(SocketMapping mapping, Runnable nativeInit, Consumer<String> problems,
                             Consumer<String> info) {
        this.mapping = mapping;
        this.nativeInit = nativeInit;
        this.problems = problems;
        this.info = info;
    }

    /**
     * Starts serving binds from the inherited sockets, when there are any for this process and {@code sockets=} is
     * not off. Reads only environment variables here; the descriptors are inspected (JNA) at the first bind.
     *
     * @param nativeInit loads the agent's native access (JNA) quietly; run before the first libc call
     * @param info       receives one line per bind served from an inherited socket
     * @return the activation, or null when there is nothing to do (or the interception is unavailable)
     */
    public static SocketActivation start(SocketMapping mapping, Instrumentation inst,
                                         Consumer<ClassFileTransformer> transformers, Consumer<String> problems,
                                         Runnable nativeInit, Consumer<String> info) {
        if (!mapping.enabled()) {
            return null;
        }
        try {
            if (Daemon.listenFdNames().isEmpty()) {
                return null; // LISTEN_PID names another process, or no descriptors
            }
        } catch (IllegalStateException malformed) {
            problems.accept("socket activation disabled: " + malformed.getMessage());
            return null;
        }
        SocketActivation activation = new SocketActivation(mapping, nativeInit, problems, info);
        return Listeners.adoptWith(inst, transformers, activation, problems) ? activation : null;
    }

    @Override
    public String adopt(SocketKind kind, int fd, InetAddress address, int port) {
        InheritedSocket socket = match(inherited(), mapping, kind, address, port);
        if (socket == null) {
            return null;
        }
        List<Sockets.EpollRegistration> registrations;
        CarriedOptions options = null;
        try {
            options = CarriedOptions.read(fd);
        } catch (IOException e) {
            problems.accept("socket activation: cannot read the options of the application's socket (" + e.getMessage()
                    + "); the inherited socket keeps its own");
        }
        try {
            // O_NONBLOCK belongs to the file description that dup2 replaces: an application that made its channel
            // non-blocking before binding (Netty does) must find the inherited socket in the same mode.
            boolean nonBlocking = Sockets.isNonBlocking(fd);
            // An epoll entry belongs to the replaced file: a channel already in a selector's (or Netty's) epoll set
            // would never hear of a connection. Add the new file with the same events and data.
            registrations = Sockets.epollRegistrations(fd);
            Sockets.duplicateOnto(socket.fd, fd);
            Sockets.setNonBlocking(fd, nonBlocking);
            Sockets.setCloseOnExec(fd);
            for (Sockets.EpollRegistration registration : registrations) {
                Sockets.epollAdd(registration.epollFd, fd, registration.events, registration.data);
            }
        } catch (IOException e) {
            problems.accept("socket activation: cannot hand inherited socket " + socket.describe() + " to the bind of "
                    + port + " (" + e.getMessage() + "); the application binds its own socket");
            return null;
        }
        socket.claimed = true;
        if (options != null && !options.isEmpty()) {
            try {
                info.accept("socket activation: options the application set before binding, now on inherited socket "
                        + socket.describe() + ": " + options.applyTo(fd));
            } catch (IOException e) {
                problems.accept("socket activation: cannot carry the application's socket options over to inherited"
                        + " socket " + socket.describe() + ": " + e.getMessage());
            }
        }
        if (!registrations.isEmpty()) {
            info.accept("socket activation: " + registrations.size() + " epoll registration(s) of fd " + fd
                    + " moved to the inherited socket: " + registrations);
        }
        info.accept("socket activation: the " + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                + " bind to " + InheritedSocket.format(new java.net.InetSocketAddress(address, port))
                + " uses inherited socket " + socket.describe());
        return socket.describe();
    }

    /** The inherited sockets, inspected once (this also sets FD_CLOEXEC on each). */
    synchronized List<InheritedSocket> inherited() {
        if (inherited == null) {
            inherited = Collections.emptyList();
            try {
                nativeInit.run();
                inherited = inspect();
            } catch (Throwable t) {
                problems.accept("socket activation: cannot inspect the sockets passed by systemd (" + t
                        + "); binds are left alone");
            }
        }
        return inherited;
    }

    private List<InheritedSocket> inspect() throws IOException {
        List<String> names = Daemon.listenFdNames();
        int count = Daemon.listenFds(false); // also sets FD_CLOEXEC on each
        List<InheritedSocket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int fd = Daemon.LISTEN_FDS_START + i;
            if (!Sockets.isSocket(fd, Sockets.AF_UNSPEC, 0, -1)) {
                problems.accept("socket activation: fd " + fd + " ('" + names.get(i) + "') is not a socket; ignored");
                continue;
            }
            sockets.add(new InheritedSocket(fd, names.get(i), Sockets.type(fd), Sockets.isListening(fd),
                    Sockets.localAddress(fd)));
        }
        return Collections.unmodifiableList(sockets);
    }

    /** The inherited socket that serves this bind, or null. */
    static InheritedSocket match(List<InheritedSocket> inherited, SocketMapping mapping, SocketKind kind,
                                 InetAddress address, int port) {
        if (port == 0) {
            return null; // "any port": the application wants a fresh one
        }
        int type = kind.isStream() ? Sockets.SOCK_STREAM : Sockets.SOCK_DGRAM;
        for (InheritedSocket socket : inherited) {
            Integer mapped = mapping.portFor(socket.name);
            if (mapped != null && mapped == port && usable(socket, type)) {
                return socket;
            }
        }
        for (InheritedSocket socket : inherited) {
            if (mapping.portFor(socket.name) == null && usable(socket, type) && socket.local.getPort() == port
                    && sameOrWildcard(socket.local.getAddress(), address)) {
                return socket;
            }
        }
        return null;
    }

    private static boolean usable(InheritedSocket socket, int type) {
        return socket.local != null && socket.type == type && (type != Sockets.SOCK_STREAM || socket.listening);
    }

    private static boolean sameOrWildcard(InetAddress inherited, InetAddress requested) {
        return requested == null || requested.isAnyLocalAddress() || inherited.isAnyLocalAddress()
                || inherited.equals(requested);
    }

    /** One line naming the inherited sockets no bind has claimed, or null when every one was claimed. */
    public String unclaimed() {
        StringBuilder names = new StringBuilder();
        int count = 0;
        for (InheritedSocket socket : inherited()) {
            if (!socket.claimed) {
                names.append(count++ == 0 ? "" : ", ").append(socket.describe());
            }
        }
        return count == 0 ? null : "socket activation: " + (count == 1 ? "inherited socket " : "inherited sockets ")
                + names + (count == 1 ? " was" : " were") + " not claimed by any bind of the application";
    }
}
