package io.github.sdagent.bench.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The benchmarks' fast starter (issue 14): a classic blocking {@link ServerSocket} server with no framework, which
 * serves about 100 ms after launch on a quiet machine. No sd-agent code; the operator's hook for it is
 * {@code ready=io.github.sdagent.bench.app.FastServer#listen:int}, the method that binds the port.
 *
 * <p>Prints the same stamps as {@link JettySample}: {@code MAIN_NANOS} on entering main, {@code STARTED_NANOS} as the
 * last step inside the hooked {@code listen} (so READY latency is measured from the hooked method's return, as for
 * Jetty), {@code RETURNED_NANOS} once {@code listen} has returned to its caller (after the agent's exit advice).
 */
public final class FastServer {
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
            + "Connection: close\r\n\r\nok\n").getBytes(StandardCharsets.US_ASCII);
    private static volatile long startedNanos;

    private FastServer() {
    }

    public static void main(String[] args) throws IOException {
        long mainNanos = System.nanoTime();
        ServerSocket server = listen(Integer.parseInt(args[0]));
        long returnedNanos = System.nanoTime();
        System.out.println("MAIN_NANOS=" + mainNanos);
        System.out.println("STARTED_NANOS=" + startedNanos);
        System.out.println("RETURNED_NANOS=" + returnedNanos);
        while (true) {
            try (Socket client = server.accept()) {
                readRequestHead(client.getInputStream());
                OutputStream out = client.getOutputStream();
                out.write(RESPONSE);
                out.flush();
            } catch (IOException oneClientFailed) {
                // the next client is served anyway
            }
        }
    }

    /** Binds 127.0.0.1:port; the server is ready once this returns. */
    static ServerSocket listen(int port) throws IOException {
        ServerSocket server = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"));
        startedNanos = System.nanoTime();
        return server;
    }

    /** Up to the blank line that ends the request's head (a GET has no body). */
    private static void readRequestHead(InputStream in) throws IOException {
        int matched = 0;
        for (int c; matched < 4 && (c = in.read()) >= 0; ) {
            matched = c == "\r\n\r\n".charAt(matched) ? matched + 1 : c == '\r' ? 1 : 0;
        }
    }
}
