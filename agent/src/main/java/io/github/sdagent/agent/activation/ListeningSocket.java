package io.github.sdagent.agent.activation;

import java.net.InetSocketAddress;

/** A socket of the application that is now listening (stream) or bound (datagram). */
public final class ListeningSocket {

    private final SocketKind kind;
    private final InetSocketAddress local;
    private final String adoptedFrom;
    private final int fd;
    private final boolean ephemeralBind;

    ListeningSocket(SocketKind kind, InetSocketAddress local, String adoptedFrom, int fd, boolean ephemeralBind) {
        this.kind = kind;
        this.local = local;
        this.adoptedFrom = adoptedFrom;
        this.fd = fd;
        this.ephemeralBind = ephemeralBind;
    }

    /** Whether the application asked for port 0 (any port): the port in {@link #localAddress} is the kernel's choice. */
    public boolean ephemeralBind() {
        return ephemeralBind;
    }

    /** The application's descriptor for it (valid during {@link ListenerObserver#listening} only: the app may close it). */
    public int fd() {
        return fd;
    }

    public SocketKind kind() {
        return kind;
    }

    /** The address the socket is bound to (for an adopted socket: the inherited socket's address). */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** The inherited socket it uses (its LISTEN_FDNAMES name and fd), or null when the application bound its own. */
    public String adoptedFrom() {
        return adoptedFrom;
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " on " + local
                + (adoptedFrom == null ? "" : " (inherited " + adoptedFrom + ")");
    }
}
