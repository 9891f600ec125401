package io.github.sdagent.agent.testapp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A server object with no sd-agent code, for an instance-method hook ({@code ready=...PluginServer#start}: its
 * constructors and {@code start} are woven). Run by {@link BundleLikeLoader} as an OSGi bundle's class would be.
 * Usage: {@code PORT}; prints {@code plugin started on PORT loader=NAME} and keeps running.
 */
public final class PluginServer {

    private ServerSocket socket;

    public void start(int port) throws Exception {
        socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    public static void main(String[] args) throws Exception {
        PluginServer server = new PluginServer();
        server.start(Integer.parseInt(args[0]));
        System.out.println("plugin started on " + server.socket.getLocalPort() + " loader="
                + PluginServer.class.getClassLoader().getClass().getSimpleName());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
