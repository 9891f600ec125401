package io.github.sdagent.agent.activation;

import java.net.InetSocketAddress;

/** One descriptor passed in LISTEN_FDS, as found at start (getsockname, SO_TYPE, SO_ACCEPTCONN). */
final class InheritedSocket {

    final int fd;
    final String name;
    final int type;
    final boolean listening;
    /** null: not an IPv4/IPv6 socket (e.g. AF_UNIX), never matched */
    final InetSocketAddress local;
    volatile boolean claimed;

    InheritedSocket(int fd, String name, int type, boolean listening, InetSocketAddress local) {
        this.fd = fd;
        this.name = name;
        this.type = type;
        this.listening = listening;
        this.local = local;
    }

    /** {@code 'web' (fd 3, 127.0.0.1:8080)} */
    String describe() {
        return "'" + name + "' (fd " + fd + ", " + (local == null ? "not an IP socket" : format(local)) + ")";
    }

    static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
