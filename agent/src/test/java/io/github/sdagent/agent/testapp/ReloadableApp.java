package io.github.sdagent.agent.testapp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A service with its own reload methods and no sd-agent code, for {@code reload=} tests. Each call of a reload method
 * prints {@code reload N <method> on <thread>} (N counts every call of any of them). {@code ReloadableApp#start} is
 * the ready hook. While the file named by the second argument exists, {@link #reload} waits for it to disappear, so
 * a test can watch the unit in "reloading".
 *
 * <p>Usage: {@code ReloadableApp <start-delay-millis> <hold-file>}; runs until stopped. With
 * {@code -Dapp.drainMillis=N} its shutdown hook takes N ms.
 */
public final class ReloadableApp {

    private static int calls;
    /** The running service, reachable as a real application's would be (the agent holds instances only weakly). */
    static ReloadableApp running;
    private final Path hold;

    public ReloadableApp(Path hold) {
        this.hold = hold;
    }

    public void start() {
        System.out.println("started pid " + ProcessHandle.current().pid());
    }

    /** The instance reload method: counts, then waits while the hold file exists. */
    public void reload() throws InterruptedException {
        called("reload");
        while (Files.exists(hold)) {
            Thread.sleep(20);
        }
    }

    public void failingReload() throws IOException {
        called("failingReload");
        throw new IOException("config line 3: unknown key 'colour'");
    }

    public void hangingReload() throws InterruptedException {
        called("hangingReload");
        Thread.sleep(Long.MAX_VALUE);
    }

    /** A static reload method (the agent needs no instance for it). */
    static void reloadStatic() {
        called("reloadStatic");
    }

    private static synchronized void called(String method) {
        calls++;
        System.out.println("reload " + calls + " " + method + " on " + Thread.currentThread().getName());
    }

    public static void main(String[] args) throws Exception {
        long drainMillis = Long.getLong("app.drainMillis", 0);
        if (drainMillis > 0) { // a graceful shutdown that takes a while, for reloads during shutdown
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(drainMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.out.println("drained");
            }));
        }
        Thread.sleep(Long.parseLong(args[0])); // a slow start-up, for reloads requested while starting
        running = new ReloadableApp(Paths.get(args[1]));
        running.start();
        Thread.sleep(Long.MAX_VALUE);
    }
}
