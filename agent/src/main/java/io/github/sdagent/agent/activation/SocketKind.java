package io.github.sdagent.agent.activation;

/** The kind of channel that binds: which JDK (or Netty) class made the bind/listen call. */
public enum SocketKind {
    /** {@code java.nio.channels.ServerSocketChannel} (Jetty, Tomcat NIO, Undertow, Netty NIO, JDK HttpServer, Vert.x). */
    SERVER_SOCKET_CHANNEL(true),
    /** {@code java.net.ServerSocket} (JDK 13+: sun.nio.ch.NioSocketImpl); also a client Socket bound explicitly. */
    SERVER_SOCKET(true),
    /** {@code java.nio.channels.DatagramChannel} (and DatagramSocket, which uses it on JDK 15+). */
    DATAGRAM_CHANNEL(false),
    /** {@code java.nio.channels.AsynchronousServerSocketChannel} (sun.nio.ch.AsynchronousServerSocketChannelImpl). */
    ASYNC_SERVER_SOCKET_CHANNEL(true),
    /** A stream socket of Netty's native transport ({@code io.netty.channel.unix.Socket}: epoll), or a relocated copy. */
    NETTY_NATIVE(true),
    /** A datagram socket of Netty's native transport. */
    NETTY_NATIVE_DATAGRAM(false);

    private final boolean stream;

    SocketKind(boolean stream) {
        this.stream = stream;
    }

    /** A listening TCP socket, as opposed to a bound datagram socket. */
    public boolean isStream() {
        return stream;
    }
}
