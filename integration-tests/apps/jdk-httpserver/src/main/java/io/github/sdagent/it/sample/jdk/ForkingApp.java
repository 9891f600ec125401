package io.github.sdagent.it.sample.jdk;

import io.github.sdagent.it.sample.Sample;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;

/**
 * A parent JVM that starts a child JVM (like a launcher or a supervisor does), waits until the
 * child serves on {@code CHILD_PORT}, then serves on {@code PORT} itself. Started with the agent in
 * JAVA_TOOL_OPTIONS, the child inherits the agent too: only the parent may speak to systemd.
 */
public final class ForkingApp {
    public static void main(String[] args) throws Exception {
        int childPort = Integer.parseInt(System.getenv("CHILD_PORT"));
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder builder = new ProcessBuilder(List.of(
                java, "-cp", System.getProperty("java.class.path"), ChildApp.class.getName()));
        builder.environment().put("PORT", Integer.toString(childPort));
        Process child = builder.inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(child::destroy, "stop-child"));
        System.out.println("parent pid=" + ProcessHandle.current().pid() + " child pid=" + child.pid());
        awaitServing(childPort, child);
        Sample.beforeStart();
        JdkHttpServerApp.serve(Sample.port(), "forking-parent");
    }

    /** Until the child answers HTTP (a listening socket alone comes before its server has started). */
    private static void awaitServing(int port, Process child) throws InterruptedException {
        while (child.isAlive()) {
            try (InputStream in = URI.create("http://" + Sample.HOST + ":" + port + "/").toURL().openStream()) {
                in.readAllBytes();
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("child JVM exited with " + child.exitValue());
    }

    /** The child: reports what it inherited, then serves. */
    public static final class ChildApp {
        public static void main(String[] args) throws Exception {
            System.out.println("child pid=" + ProcessHandle.current().pid()
                    + " NOTIFY_SOCKET=" + System.getenv("NOTIFY_SOCKET")
                    + " WATCHDOG_USEC=" + System.getenv("WATCHDOG_USEC")
                    + " JAVA_TOOL_OPTIONS=" + System.getenv("JAVA_TOOL_OPTIONS"));
            JdkHttpServerApp.serve(Sample.port(), "forking-child");
        }
    }
}
