package io.github.sdagent.agent.activation;

import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * As {@link EpollProbe}, on the relocated Netty 4.1 inside grpc-netty-shaded
 * ({@code io.grpc.netty.shaded.io.netty...}, with its own native library).
 *
 * <p>A server on Netty's native epoll transport, driven without {@code ServerBootstrap} (so no ready= preset applies,
 * as for a vendor server built on Netty's channels): the channel is registered with its event loop (and so in the
 * loop's epoll set) before it binds, as Netty always does. It answers each connection with
 * {@code hello epoll local=ADDRESS}; after the first one it closes and exits, unless told {@code forever}.
 */
public final class ShadedEpollProbe {

    public static void main(String[] args) throws Exception {
        serve(AdoptionProbe.address(args[1], Integer.parseInt(args[2])), args.length > 3 && args[3].equals("forever"));
    }

    static void serve(SocketAddress address, boolean forever) throws Exception {
        Epoll.ensureAvailability();
        EventLoopGroup group = new EpollEventLoopGroup(1);
        try {
            EpollServerSocketChannel server = new EpollServerSocketChannel();
            server.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    Channel child = (Channel) msg;
                    child.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext childContext) {
                            String hello = "hello shaded-epoll local=" + server.localAddress() + "\n";
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
            System.out.println("shaded-epoll bound " + server.localAddress());
            System.out.flush();
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully().sync();
        }
    }
}
