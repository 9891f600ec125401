package io.github.sdagent.agent.testapp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CountDownLatch;

/**
 * No framework: one listener that binds, one whose port is taken (the failure is logged and the application runs
 * on, as some servers do), and optionally a next port tried instead: args FIRST TAKEN [NEXT].
 */
public final class PortTakenApp {
    public static void main(String[] args) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        ServerSocket first = new ServerSocket(Integer.parseInt(args[0]), 50, loopback);
        try {
            new ServerSocket(Integer.parseInt(args[1]), 50, loopback);
        } catch (IOException taken) {
            System.out.println("could not listen on " + args[1] + ": " + taken.getMessage());
            if (args.length > 2) {
                new ServerSocket(Integer.parseInt(args[2]), 50, loopback);
                System.out.println("listening on " + args[2] + " instead");
            }
        }
        System.out.println("running " + first.getLocalPort());
        new CountDownLatch(1).await();
    }
}
