package io.github.sdagent.agent.testapp;

import java.util.ArrayList;
import java.util.List;

/**
 * An application that misbehaves in the ways of issue 15, with no sd-agent code. Modes (first argument):
 * {@code overloaded} (calls one of two overloads of {@link Overloads#start}, then runs), {@code oom CYCLES GO-FILE} (once GO-FILE exists, fills the
 * heap until OutOfMemoryError, holds it, lets go, again and again, then runs), {@code exit} (System.exit(3) at once,
 * while the agent is still starting), {@code run} (runs until stopped), {@code own-sigterm} (replaces the SIGTERM
 * handler with its own, which says so and exits 0).
 */
public final class FaultApp {

    /** Two overloads: the bare name {@code FaultApp$Overloads#start} is ambiguous. */
    public static final class Overloads {
        public static void start(int port) {
            System.out.println("started on " + port);
        }

        public static void start(String host) {
            System.out.println("started on " + host);
        }
    }

    /** The ready hook of the tests that need one: returns once the application is set up. */
    public static void started() {
        System.out.println("app started");
    }

    public static void main(String[] args) throws Exception {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("app shutdown hook ran")));
        } catch (IllegalStateException shutdownInProgress) { // a SIGTERM before main began: what any application sees
            return;
        }
        switch (args[0]) {
            case "overloaded":
                Overloads.start(8080);
                break;
            case "oom":
                started();
                while (!new java.io.File(args[2]).exists()) { // the test says when: once the agent is up and READY
                    Thread.sleep(20);
                }
                for (int cycle = 1, cycles = Integer.parseInt(args[1]); cycle <= cycles; cycle++) {
                    List<Object> hoard = new ArrayList<>();
                    try {
                        while (true) {
                            hoard.add(new long[16]); // small pieces: nothing is left for any other thread either
                        }
                    } catch (OutOfMemoryError expected) {
                        Thread.sleep(300); // every other thread that allocates now fails too
                        hoard = null;
                    }
                    System.out.println("oom " + cycle);
                    Thread.sleep(200);
                }
                System.out.println("oom done");
                break;
            case "exit":
                System.exit(3);
                break;
            case "own-sigterm":
                started();
                Thread.sleep(1000);
                sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> {
                    System.out.println("app's own SIGTERM handler");
                    System.exit(0);
                });
                System.out.println("app handler installed");
                break;
            case "run":
                started();
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
