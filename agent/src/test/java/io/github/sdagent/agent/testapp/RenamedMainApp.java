package io.github.sdagent.agent.testapp;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CountDownLatch;

/**
 * No framework: a plain ServerSocket, 2.5 s of start-up work, a second ServerSocket, then the main thread waits for
 * good; and the main thread renamed at once, as some launchers do: args FIRST_PORT SECOND_PORT.
 */
public final class RenamedMainApp {
    public static void main(String[] args) throws Exception {
        Thread.currentThread().setName("app-launcher");
        ServerSocket first = new ServerSocket(Integer.parseInt(args[0]), 50, InetAddress.getLoopbackAddress());
        long end = System.nanoTime() + 2_500_000_000L;
        double sink = 0;
        while (System.nanoTime() < end) { // still starting: running, not blocked
            sink += Math.sqrt(System.nanoTime());
        }
        ServerSocket second = new ServerSocket(Integer.parseInt(args[1]), 50, InetAddress.getLoopbackAddress());
        System.out.println("second listening " + second.getLocalPort() + " " + first.getLocalPort() + " " + (sink > 0));
        new CountDownLatch(1).await();
    }
}
