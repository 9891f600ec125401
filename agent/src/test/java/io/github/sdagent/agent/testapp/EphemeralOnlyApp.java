package io.github.sdagent.agent.testapp;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/** Internal plumbing only: two listeners on port 0 (a ServerSocket and a channel), then the main thread blocks for good. */
public final class EphemeralOnlyApp {
    public static void main(String[] args) throws Exception {
        Thread.sleep(1000); // after the agent's start-up: the interception sees these binds
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServerSocketChannel channel = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        System.out.println("listening " + socket.getLocalPort() + " " + channel.socket().getLocalPort());
        new CountDownLatch(1).await();
    }
}
