package com.acme.shaded.io.undertow;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Test fixture: what a vendor jar's relocated copy of Undertow looks like to the agent (the class name ends with
 * {@code io.undertow.Undertow} under a prefix of its own, and {@code start()} opens the port).
 */
public final class Undertow {
    private final int port;
    private ServerSocket socket;

    public Undertow(int port) {
        this.port = port;
    }

    public void start() {
        try {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    public void stop() throws IOException {
        socket.close();
    }
}
