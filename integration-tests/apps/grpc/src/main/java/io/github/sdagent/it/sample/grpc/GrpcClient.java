package io.github.sdagent.it.sample.grpc;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import java.util.concurrent.TimeUnit;

/** {@code java -cp app.jar io.github.sdagent.it.sample.grpc.GrpcClient PORT}: one Hello call, prints the answer. */
public final class GrpcClient {
    public static void main(String[] args) throws Exception {
        ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + args[0], InsecureChannelCredentials.create()).build();
        try {
            // 60 s: the deadline counts this client JVM's own start of name resolution and connection too, which took
            // over 6 s on the loaded 2-core test machine (the server itself had answered the HTTP/2 handshake already)
            System.out.print(ClientCalls.blockingUnaryCall(channel, Greeting.HELLO,
                    io.grpc.CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), "hi"));
        } finally {
            channel.shutdownNow();
        }
    }
}
