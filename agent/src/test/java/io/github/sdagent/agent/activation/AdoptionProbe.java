package io.github.sdagent.agent.activation;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * An ordinary server, unaware of systemd, run by SocketAdoptionIT under {@code systemd-socket-activate} with the
 * agent. It binds as told, serves one connection (or datagram) per bind with {@code hello MODE local=ADDRESS}, and
 * prints on stdout what it saw: its bound address, and whether fd 3 (the first inherited descriptor) is close-on-exec.
 *
 * <p>Usage: {@code MODE HOST PORT [PORT...]}; HOST {@code *} binds the wildcard address. MODE: {@code channel}
 * (ServerSocketChannel, one per port), {@code server-socket} (java.net.ServerSocket), {@code rebind} (channel:
 * bind, close, bind again, then serve), {@code registered-first} (non-blocking channel registered with a selector
 * for OP_ACCEPT, and in its epoll set, before it binds), {@code datagram} (DatagramChannel), {@code datagram-socket}
 * (java.net.DatagramSocket), {@code options} (channel with SO_RCVBUF set before its bind), {@code async} (AsynchronousServerSocketChannel), {@code epoll} (Netty's native epoll
 * transport, see {@link EpollProbe}; needs the Netty jars on the class path), {@code shaded-epoll} (the relocated
 * Netty 4.1 of grpc-netty-shaded, see {@link ShadedEpollProbe}), {@code bundle-epoll} (epoll, with Netty and the
 * probe loaded by a {@code BundleLikeLoader}, which does not see the agent's bridge), {@code epoll-datagram} (Netty's EpollDatagramChannel), {@code io_uring} (Netty's io_uring transport).
 */
public final class AdoptionProbe {

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        try {
            for (int i = 2; i < args.length; i++) {
                SocketAddress address = address(args[1], Integer.parseInt(args[i]));
                if (mode.equals("epoll")) {
                    EpollProbe.serve(address, false);
                } else if (mode.equals("io_uring")) {
                    EpollProbe.serve(address, false, true);
                } else if (mode.equals("epoll-datagram")) {
                    EpollProbe.receiveOne(address);
                } else if (mode.equals("bundle-epoll")) {
                    // Netty loaded by a loader that hides the agent's bridge, as an OSGi bundle or a JBoss module
                    io.github.sdagent.agent.testapp.BundleLikeLoader.run(EpollProbe.class.getName(),
                            new String[] {"epoll", args[1], args[i]});
                } else if (mode.equals("shaded-epoll")) {
                    ShadedEpollProbe.serve(address, false);
                } else {
                    serveOnce(mode, address);
                }
            }
        } catch (IOException e) {
            System.out.println("bind failed: " + e);
        }
        System.out.println("fd3-cloexec=" + closeOnExec(3));
        System.out.flush();
    }

    /** HOST {@code *}: the wildcard address. */
    static SocketAddress address(String host, int port) throws IOException {
        return host.equals("*") ? new InetSocketAddress(port) : new InetSocketAddress(InetAddress.getByName(host), port);
    }

    private static void serveOnce(String mode, SocketAddress address) throws Exception {
        switch (mode) {
            case "options": {
                // SO_RCVBUF set before the bind, as servers that tune their listener do
                ServerSocketChannel channel = ServerSocketChannel.open();
                channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 100_000);
                channel.bind(address);
                try (ServerSocketChannel unbound = ServerSocketChannel.open()) {
                    unbound.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 100_000);
                    System.out.println("expected rcvbuf " + unbound.getOption(java.net.StandardSocketOptions.SO_RCVBUF));
                }
                System.out.println("bound rcvbuf " + channel.getOption(java.net.StandardSocketOptions.SO_RCVBUF));
                try (SocketChannel client = channel.accept()) {
                    client.write(ByteBuffer.wrap(("hello " + mode + " local=" + channel.getLocalAddress() + "\n")
                            .getBytes(StandardCharsets.UTF_8)));
                }
                channel.close();
                break;
            }
            case "async": {
                try (java.nio.channels.AsynchronousServerSocketChannel channel =
                             java.nio.channels.AsynchronousServerSocketChannel.open()) {
                    channel.bind(address);
                    System.out.println(mode + " bound " + channel.getLocalAddress());
                    try (java.nio.channels.AsynchronousSocketChannel client = channel.accept().get()) {
                        client.write(ByteBuffer.wrap(("hello " + mode + " local=" + channel.getLocalAddress() + "\n")
                                .getBytes(StandardCharsets.UTF_8))).get();
                    }
                }
                break;
            }
            case "channel":
            case "rebind": {
                ServerSocketChannel channel = ServerSocketChannel.open();
                channel.bind(address);
                if (mode.equals("rebind")) {
                    System.out.println("first bind " + channel.getLocalAddress());
                    channel.close();
                    channel = ServerSocketChannel.open();
                    channel.bind(address);
                }
                System.out.println(mode + " bound " + channel.getLocalAddress());
                try (SocketChannel client = channel.accept()) {
                    client.write(ByteBuffer.wrap(("hello " + mode + " local=" + channel.getLocalAddress() + "\n")
                            .getBytes(StandardCharsets.UTF_8)));
                }
                channel.close();
                break;
            }
            case "registered-first": {
                // a non-blocking channel in a selector's epoll set before it binds (as Netty's epoll transport does)
                ServerSocketChannel channel = ServerSocketChannel.open();
                channel.configureBlocking(false);
                java.nio.channels.Selector selector = java.nio.channels.Selector.open();
                channel.register(selector, java.nio.channels.SelectionKey.OP_ACCEPT);
                selector.selectNow(); // now the (unbound) socket is in the epoll set
                selector.selectedKeys().clear(); // an unbound socket polls as hung up: not a connection
                channel.bind(address);
                System.out.println(mode + " bound " + channel.getLocalAddress());
                SocketChannel client = null;
                for (int i = 0; i < 60 && client == null; i++) {
                    if (selector.select(1000) > 0) {
                        client = channel.accept();
                        selector.selectedKeys().clear();
                    }
                }
                if (client == null) {
                    System.out.println(mode + ": the selector never reported the connection");
                } else {
                    client.configureBlocking(true);
                    client.write(ByteBuffer.wrap(("hello " + mode + " local=" + channel.getLocalAddress() + "\n")
                            .getBytes(StandardCharsets.UTF_8)));
                    client.close();
                }
                channel.close();
                selector.close();
                break;
            }
            case "server-socket": {
                try (ServerSocket server = new ServerSocket()) {
                    server.bind(address);
                    System.out.println(mode + " bound " + server.getLocalSocketAddress());
                    try (Socket client = server.accept()) {
                        OutputStream out = client.getOutputStream();
                        out.write(("hello " + mode + " local=" + server.getLocalSocketAddress() + "\n")
                                .getBytes(StandardCharsets.UTF_8));
                    }
                }
                break;
            }
            case "datagram": {
                try (DatagramChannel channel = DatagramChannel.open()) {
                    channel.bind(address);
                    System.out.println(mode + " bound " + channel.getLocalAddress());
                    ByteBuffer buffer = ByteBuffer.allocate(512);
                    SocketAddress sender = channel.receive(buffer);
                    buffer.flip();
                    System.out.println(mode + " received " + StandardCharsets.UTF_8.decode(buffer) + " from " + sender);
                }
                break;
            }
            case "datagram-socket": {
                try (DatagramSocket socket = new DatagramSocket(address)) {
                    System.out.println(mode + " bound " + socket.getLocalSocketAddress());
                    DatagramPacket packet = new DatagramPacket(new byte[512], 512);
                    socket.receive(packet);
                    System.out.println(mode + " received "
                            + new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
                }
                break;
            }
            default:
                throw new IllegalArgumentException(mode);
        }
        System.out.flush();
    }

    /** From /proc/self/fdinfo: flags are octal, O_CLOEXEC is 02000000. */
    private static String closeOnExec(int fd) {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith("flags:")) {
                    return Boolean.toString((Long.parseLong(line.substring(6).trim(), 8) & 02000000) != 0);
                }
            }
            return "unknown";
        } catch (IOException e) {
            return "no-fd";
        }
    }
}
