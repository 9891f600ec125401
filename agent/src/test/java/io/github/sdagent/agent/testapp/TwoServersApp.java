package io.github.sdagent.agent.testapp;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * Two servers started one after the other by the main thread, with nothing enclosing both, like a broker that starts
 * its acceptors and then, a second of work later, its web console: args FIRST_PORT SECOND_PORT WORK_MILLIS.
 */
public final class TwoServersApp {
    public static void main(String[] args) throws Exception {
        start(Integer.parseInt(args[0]));
        long end = System.nanoTime() + Long.parseLong(args[2]) * 1_000_000L;
        double sink = 0;
        while (System.nanoTime() < end) { // setting up the next component: running, not blocked
            sink += Math.sqrt(System.nanoTime());
        }
        start(Integer.parseInt(args[1]));
        System.out.println("second listening " + args[1] + " " + (sink > 0));
        new CountDownLatch(1).await();
    }

    private static void start(int port) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }
}
