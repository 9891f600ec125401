package io.github.sdagent.it.sample.grpc;

import io.github.sdagent.it.sample.Sample;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A gRPC-java server on grpc-netty-shaded (Netty relocated to io.grpc.netty.shaded.io.netty), one unary method
 * {@code sample.Greeter/Hello} answering {@code hello from grpc} (plain UTF-8 messages, no protobuf). It logs
 * through Log4j 2's console appender (log4j2.xml): numbered lines before and after "listening", so tests can
 * check the output is complete and in order.
 */
public final class GrpcApp {
    private static final Logger LOG = LogManager.getLogger(GrpcApp.class);

    public static void main(String[] args) throws Exception {
        LOG.info("line 1: starting");
        Sample.beforeStart();
        LOG.info("line 2: building the server");
        ServerServiceDefinition greeter = ServerServiceDefinition.builder(Greeting.SERVICE)
                .addMethod(Greeting.HELLO, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(Sample.greeting("grpc"));
                    response.onCompleted();
                }))
                .build();
        Server server = Grpc.newServerBuilderForPort(Sample.port(), InsecureServerCredentials.create())
                .addService(greeter)
                .build();
        server.start();
        LOG.info("line 3: gRPC server listening on port {}", server.getPort());
        LOG.info("line 4: serving");
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "grpc-shutdown"));
        server.awaitTermination();
    }
}
