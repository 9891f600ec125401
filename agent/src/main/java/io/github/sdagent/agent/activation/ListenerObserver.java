package io.github.sdagent.agent.activation;

/**
 * Told about every socket the application starts listening on (for {@code ready=listen:PORT} and the like). Called
 * on the application's thread, right after its listen (or a datagram bind) succeeded: keep it short, never block.
 */
public interface ListenerObserver {

    void listening(ListeningSocket socket);
}
