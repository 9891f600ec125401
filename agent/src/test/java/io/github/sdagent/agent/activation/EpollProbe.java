package io.github.sdagent.agent.activation;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A server on Netty's native epoll transport, driven without {@code ServerBootstrap} (so no ready= preset applies,
 * as for a vendor server built on Netty's channels): the channel is registered with its event loop (and so in the
 * loop's epoll set) before it binds, as Netty always does. It answers each connection with
 * {@code hello epoll local=ADDRESS}; after the first one it closes and exits, unless told {@code forever}.
 */
public final class EpollProbe {

    public static void main(String[] args) throws Exception {
        serve(AdoptionProbe.address(args[1], Integer.parseInt(args[2])), args.length > 3 && args[3].equals("forever"));
    }

    /** An EpollDatagramChannel bound to {@code address}: prints the first datagram it receives, then exits. */
    static void receiveOne(SocketAddress address) throws Exception {
        Epoll.ensureAvailability();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            io.netty.channel.epoll.EpollDatagramChannel channel = new io.netty.channel.epoll.EpollDatagramChannel();
            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    io.netty.channel.socket.DatagramPacket packet = (io.netty.channel.socket.DatagramPacket) msg;
                    System.out.println("epoll-datagram received " + packet.content().toString(StandardCharsets.UTF_8));
                    System.out.flush();
                    packet.release();
                    ctx.channel().close();
                }
            });
            group.register(channel).sync();
            channel.bind(address).sync();
            System.out.println("epoll-datagram bound " + channel.localAddress());
            System.out.flush();
            channel.closeFuture().sync();
        } finally {
            group.shutdownGracefully().sync();
        }
    }

    static void serve(SocketAddress address, boolean forever) throws Exception {
        serve(address, forever, false);
    }

    /** {@code ioUring}: on Netty's io_uring transport instead (its socket class extends the same unix.Socket). */
    static void serve(SocketAddress address, boolean forever, boolean ioUring) throws Exception {
        if (ioUring) {
            io.netty.channel.uring.IoUring.ensureAvailability();
        } else {
            Epoll.ensureAvailability();
        }
        String mode = ioUring ? "io_uring" : "epoll";
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, ioUring
                ? io.netty.channel.uring.IoUringIoHandler.newFactory() : EpollIoHandler.newFactory());
        try {
            io.netty.channel.ServerChannel server = ioUring ? new io.netty.channel.uring.IoUringServerSocketChannel()
                    : new EpollServerSocketChannel();
            server.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    Channel child = (Channel) msg;
                    child.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext childContext) {
                            String hello = "hello " + mode + " local=" + server.localAddress() + "\n";
                            childContext.writeAndFlush(Unpooled.copiedBuffer(hello, StandardCharsets.UTF_8))
                                    .addListener(ChannelFutureListener.CLOSE)
                                    .addListener(done -> {
                                        if (!forever) {
                                            server.close();
                                        }
                                    });
                        }
                    });
                    group.register(child);
                }
            });
            group.register(server).sync(); // in the event loop's epoll set from here on, before the bind
            server.bind(address).sync();
            System.out.println(mode + " bound " + server.localAddress());
            System.out.flush();
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully().sync();
        }
    }
}
