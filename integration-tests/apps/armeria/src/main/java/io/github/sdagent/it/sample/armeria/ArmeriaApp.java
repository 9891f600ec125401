package io.github.sdagent.it.sample.armeria;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.Server;
import io.github.sdagent.it.sample.Sample;
import java.net.InetSocketAddress;

/**
 * An Armeria server. On Linux Armeria picks Netty's native epoll transport when it loads (it ships it), else NIO.
 * {@code Server#start} returns a CompletableFuture that completes once the ports are bound.
 */
public final class ArmeriaApp {
    public static void main(String[] args) throws Exception {
        Sample.beforeStart();
        Server server = Server.builder()
                .http(new InetSocketAddress(Sample.HOST, Sample.port()))
                .service("/", (ctx, request) -> HttpResponse.of(Sample.greeting("armeria")))
                .build();
        server.closeOnJvmShutdown();
        server.start().join();
    }
}
