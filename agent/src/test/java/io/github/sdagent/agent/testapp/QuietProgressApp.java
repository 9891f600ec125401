package io.github.sdagent.agent.testapp;

import java.io.FileOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * A start whose only visible progress is a growing file (a database migration writing its log): no new classes, no
 * new threads, one line appended every 300 ms for SECONDS, then a listener on PORT: args FILE SECONDS PORT.
 */
public final class QuietProgressApp {
    public static void main(String[] args) throws Exception {
        long end = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
        byte[] line = "migrated one more table\n".getBytes(StandardCharsets.US_ASCII);
        try (FileOutputStream log = new FileOutputStream(args[0], true)) {
            while (System.nanoTime() < end) {
                log.write(line);
                Thread.sleep(300);
            }
        }
        ServerSocket server = new ServerSocket(Integer.parseInt(args[2]), 50, InetAddress.getLoopbackAddress());
        System.out.println("listening " + server.getLocalPort());
        new CountDownLatch(1).await();
    }
}
