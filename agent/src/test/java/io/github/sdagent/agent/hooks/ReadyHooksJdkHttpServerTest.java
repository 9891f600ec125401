package io.github.sdagent.agent.hooks;

import static io.github.sdagent.agent.hooks.HookTestSupport.install;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.github.sdagent.agent.hooks.HookTestSupport.Recorder;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real JDK server: {@code HttpServer#start} is abstract, implemented by {@code sun.net.httpserver.HttpServerImpl}
 * in the {@code jdk.httpserver} module (platform class loader), which must be retransformed and made to read the
 * bootstrap bridge.
 */
class ReadyHooksJdkHttpServerTest {

    @BeforeAll
    static void attach() throws Exception {
        HookTestSupport.instrumentation();
    }

    @Test
    void readyWhenTheRealJdkHttpServerHasStarted() throws Exception {
        HookTrace.clear();
        Recorder recorder = install(60_000, "com.sun.net.httpserver.HttpServer#start");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        try {
            server.start();
            HookTrace.log("app: start returned");
            assertEquals(List.of("READY com.sun.net.httpserver.HttpServer#start", "app: start returned"),
                    HookTrace.snapshot());
            assertEquals(List.of(), recorder.problems);
            URL url = new URL("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            HttpURLConnection connection = (HttpURLConnection) url.openConnection();
            try (InputStream in = connection.getInputStream()) {
                assertEquals("ok", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } finally {
            server.stop(0);
        }
    }
}
