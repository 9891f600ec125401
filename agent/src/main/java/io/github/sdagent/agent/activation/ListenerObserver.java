package io.github.sdagent.agent.activation;

/**
 * Told about every socket the application starts listening on (for {@code ready=listen:PORT} and the like). Called
 * on the application's thread, right after its listen (or a datagram bind) succeeded: keep it short, never block.
 */
public interface ListenerObserver {

    void listening(ListeningSocket socket);

    /**
     * The application's own bind of a listening (stream) socket to {@code address:port} failed, e.g. because the port
     * is taken; the failure goes on to the application. Same thread rules as {@link #listening}.
     */
    default void bindFailed(SocketKind kind, java.net.InetAddress address, int port, String failure) {
    }
}
