package io.github.sdagent.agent.ready;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** ready=http: polls until a 2xx, saying what it last saw while waiting. */
class HttpProbeTest {

    @Test
    void waitsThrough503UntilA200() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(calls.incrementAndGet() < 3 ? 503 : 204, -1);
            exchange.close();
        });
        server.start();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        try {
            URL url = new URL("http://127.0.0.1:" + server.getAddress().getPort() + "/health");
            new HttpProbe(url, 50, 2000, new HttpProbe.Result() {
                @Override
                public void answered(String u, int status) {
                    events.add("answered " + status);
                }

                @Override
                public void stillWaiting(String u, String lastOutcome) {
                    events.add("waiting " + lastOutcome);
                }
            }).start();
            assertEquals("waiting HTTP 503", events.poll(30, TimeUnit.SECONDS));
            assertEquals("answered 204", events.poll(30, TimeUnit.SECONDS));
            assertTrue(calls.get() >= 3);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void refusedConnectionsAreReportedAsWhatItWaitsFor() throws Exception {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        HttpProbe probe = new HttpProbe(new URL("http://127.0.0.1:" + closedPort + "/"), 50, 500, new HttpProbe.Result() {
            @Override
            public void answered(String u, int status) {
                events.add("answered " + status);
            }

            @Override
            public void stillWaiting(String u, String lastOutcome) {
                events.add("waiting " + lastOutcome);
            }
        });
        probe.start();
        String first = events.poll(30, TimeUnit.SECONDS);
        probe.stop();
        assertTrue(first != null && first.startsWith("waiting ConnectException"), String.valueOf(first));
    }
}
