package com.acme.slow.io.undertow;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Test fixture: a relocated copy of Undertow whose {@code start()} opens its port and then goes on starting for a
 * few seconds (as a server does that binds first and loads its applications after): the listener is up long before
 * the preset's ready point.
 */
public final class Undertow {
    private final int port;
    private final long moreMillis;
    private ServerSocket socket;

    public Undertow(int port, long moreMillis) {
        this.port = port;
        this.moreMillis = moreMillis;
    }

    public void start() {
        try {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            System.out.println("listening " + socket.getLocalPort());
            Thread.sleep(moreMillis);
        } catch (IOException | InterruptedException e) {
            throw new RuntimeException(e);
        }
    }
}
