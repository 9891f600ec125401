package io.github.sdagent.it.sample.jdk;

import com.sun.net.httpserver.HttpServer;
import io.github.sdagent.it.sample.Sample;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** The JDK's own {@code com.sun.net.httpserver.HttpServer}: an abstract class, started through its implementation. */
public final class JdkHttpServerApp {
    public static void main(String[] args) throws Exception {
        Sample.beforeStart();
        serve(Sample.port(), "jdk-httpserver");
    }

    static void serve(int port, String name) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(Sample.HOST, port), 0);
        server.createContext("/", exchange -> {
            byte[] body = Sample.greeting(name).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }
}
