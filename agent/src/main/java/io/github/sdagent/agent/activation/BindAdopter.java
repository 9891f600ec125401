package io.github.sdagent.agent.activation;

import java.net.InetAddress;

/** Asked before each intercepted bind whether an existing socket should serve it instead (socket activation). */
public interface BindAdopter {

    /**
     * Called on the application's thread just before it binds.
     *
     * @param fd      the descriptor of the application's own (unbound) socket
     * @param address the address it asked for (a wildcard address for "any")
     * @param port    the port it asked for (0 for "any")
     * @return the name of the socket now in place at {@code fd} (bound, and listening for a stream kind), or null
     *         to let the application bind as usual
     */
    String adopt(SocketKind kind, int fd, InetAddress address, int port);
}
