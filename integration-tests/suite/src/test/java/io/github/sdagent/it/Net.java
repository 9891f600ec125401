package io.github.sdagent.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Ephemeral ports for the sample servers, and the real HTTP request a test makes to one. */
final class Net {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Net() {
    }

    /** A port the kernel just handed out on 127.0.0.1, so parallel tests never collide on it. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code GET http://127.0.0.1:port/}; throws unless it answers 200. */
    static String get(int port) throws IOException, InterruptedException {
        return get(port, Duration.ofSeconds(10));
    }

    private static String get(int port, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(timeout)
                .build();
        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET / on port " + port + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** Whether {@code GET /} answers 200 right now. */
    static boolean serves(int port) {
        try {
            get(port, Duration.ofSeconds(2));
            return true;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * An HTTP/2 (prior knowledge) handshake on 127.0.0.1:port, as a gRPC client opens it: the connection preface and
     * an empty SETTINGS frame; throws unless the server's first frame is its SETTINGS.
     */
    static void http2Settings(int port) throws IOException {
        try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] emptySettings = {0, 0, 0, 4, 0, 0, 0, 0, 0}; // length 0, type 4 (SETTINGS), flags 0, stream 0
            socket.getOutputStream().write(preface);
            socket.getOutputStream().write(emptySettings);
            socket.getOutputStream().flush();
            byte[] header = new java.io.DataInputStream(socket.getInputStream()).readNBytes(9);
            if (header.length < 9 || header[3] != 4) {
                throw new IOException("no HTTP/2 SETTINGS frame from port " + port + ": " + java.util.Arrays.toString(header));
            }
        }
    }
}
