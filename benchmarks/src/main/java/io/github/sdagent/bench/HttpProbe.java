package io.github.sdagent.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Minimal HTTP/1.1 over a plain socket on 127.0.0.1: no client library on the measured path. */
final class HttpProbe {
    private HttpProbe() {
    }

    static byte[] request(int port, boolean keepAlive) {
        return ("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + (keepAlive ? "" : "Connection: close\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** One GET on a new connection: its status code, or -1 when the port does not accept (yet). */
    static int get(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request(port, false));
            return readResponse(socket.getInputStream());
        } catch (IOException e) {
            return -1;
        }
    }

    /** Reads one response (headers and a Content-Length body), returns the status code. */
    static int readResponse(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int status = -1;
        int contentLength = 0;
        boolean firstLine = true;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed inside the response headers");
            }
            if (c == '\r') {
                continue;
            }
            if (c != '\n') {
                line.append((char) c);
                continue;
            }
            if (line.length() == 0) {
                break;
            }
            String text = line.toString();
            if (firstLine) {
                status = Integer.parseInt(text.split(" ")[1]);
                firstLine = false;
            } else if (text.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                contentLength = Integer.parseInt(text.substring(15).trim());
            }
            line.setLength(0);
        }
        for (int i = 0; i < contentLength; i++) {
            if (in.read() < 0) {
                throw new IOException("connection closed inside the response body");
            }
        }
        return status;
    }

    static void write(OutputStream out, byte[] request) throws IOException {
        out.write(request);
        out.flush();
    }
}
