package io.github.sdagent.agent.testapp;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A classic blocking server with no sd-agent code: a {@code java.net.ServerSocket} on the port given (127.0.0.1, or
 * the wildcard with a second argument {@code *}), answering every connection with one HTTP response, accepted on
 * the main thread. On JDK 11 its bind goes through PlainSocketImpl.
 */
public final class BlockingServerApp {

    private BlockingServerApp() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        boolean wildcard = args.length > 1 && args[1].equals("*");
        ServerSocket server = new ServerSocket();
        server.bind(wildcard ? new InetSocketAddress(port) : new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        System.out.println("listening on " + server.getLocalSocketAddress() + " java " + System.getProperty("java.version"));
        while (true) { // accepts on the main thread, as classic servers do
            try (Socket client = server.accept()) {
                readRequest(client.getInputStream()); // unread bytes at close would reset the connection
                byte[] body = "hello from BlockingServerApp\n".getBytes(StandardCharsets.UTF_8);
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.0 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                out.write(body);
            }
        }
    }

    /** Reads up to the blank line that ends an HTTP request's head (or the end of the stream). */
    private static void readRequest(java.io.InputStream in) throws java.io.IOException {
        int matched = 0;
        int c;
        while (matched < 4 && (c = in.read()) >= 0) {
            matched = c == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : 0;
        }
    }
}
