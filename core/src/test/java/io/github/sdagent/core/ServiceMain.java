package io.github.sdagent.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A small service that uses {@link Daemon} the way an application would, started by the tests under a real
 * systemd (systemd-run, a .socket unit, systemd-socket-activate) or in a JVM that denies native access.
 */
public final class ServiceMain {
    private ServiceMain() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "ready" -> ready(args[1]);
            case "watchdog" -> watchdog(Long.parseLong(args[1]));
            case "socket" -> socket();
            case "notify" -> notifyOnce();
            case "example" -> PystemdExample.main(new String[0]);
            case "unset" -> unsetThenStartChild();
            case "fdstore" -> fdStore();
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** READY=1 with a status, then a barrier (systemd confirms it processed READY), then a second status. */
    private static void ready(String status) throws Exception {
        Notification.ready().status(status).mainPid(ProcessHandle.current().pid()).send(false);
        boolean passed = Daemon.notifyBarrier(Duration.ofSeconds(10));
        Daemon.notify(false, "STATUS=" + status + "; barrier passed=" + passed);
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Pings at a quarter of WATCHDOG_USEC for {@code pingMillis}, then stops pinging but keeps running. */
    private static void watchdog(long pingMillis) throws Exception {
        long usec = Daemon.watchdogEnabled(false);
        Notification.ready().status("watchdog usec=" + usec + ", pinging").send(false);
        long end = System.nanoTime() + pingMillis * 1_000_000L;
        while (System.nanoTime() < end) {
            Daemon.notify(false, "WATCHDOG=1");
            Thread.sleep(Math.max(1, usec / 4000));
        }
        Daemon.notify(false, "STATUS=watchdog usec=" + usec + ", stopped pinging");
        Thread.sleep(Long.MAX_VALUE);
    }

    /**
     * Socket activation: takes the names, then the descriptors (unsetting the variables), accepts one
     * connection on the first descriptor and answers with what it saw.
     */
    private static void socket() throws Exception {
        List<String> names = Daemon.listenFdNames();
        int flagsBefore = TestLibc.fcntl(Daemon.LISTEN_FDS_START, TestLibc.F_GETFD, 0);
        int n = Daemon.listenFds(true);
        int flagsAfter = TestLibc.fcntl(Daemon.LISTEN_FDS_START, TestLibc.F_GETFD, 0);
        Daemon.notify(false, "READY=1", "STATUS=got " + n + " fd(s) " + names);
        int connection = TestLibc.check(TestLibc.accept(Daemon.LISTEN_FDS_START, null, null), "accept");
        String reply = "fds=" + n + " names=" + names
                + " cloexec-before=" + (flagsBefore & TestLibc.FD_CLOEXEC)
                + " cloexec-after=" + (flagsAfter & TestLibc.FD_CLOEXEC)
                + " after-unset=" + Daemon.listenFds(false) + "," + Daemon.listenFdNames() + "\n";
        byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
        TestLibc.write(connection, bytes, bytes.length);
        TestLibc.close(connection);
    }

    /** Hands the read end of a pipe to systemd's file descriptor store, then reports ready. */
    private static void fdStore() throws Exception {
        int[] pipe = new int[2];
        TestLibc.check(TestLibc.pipe2(pipe, TestLibc.SOCK_CLOEXEC), "pipe2");
        boolean sent = Notification.of(Notification.Flag.FDSTORE).fdName("my-pipe").sendWithFds(false, pipe[0]);
        Notification.ready().status("stored=" + sent).send(false);
        Thread.sleep(Long.MAX_VALUE);
    }

    /** notify with unsetEnvironment=true, then reports what this JVM and a child process still see. */
    private static void unsetThenStartChild() throws Exception {
        System.out.println("sent=" + Daemon.notify(true, "READY=1"));
        System.out.println("again=" + Daemon.notify(false, "STATUS=again"));
        System.out.println("Daemon.notifySocket=" + Daemon.notifySocket());
        System.out.println("System.getenv=" + (System.getenv("NOTIFY_SOCKET") != null));
        Process child = new ProcessBuilder("sh", "-c", "echo child=${NOTIFY_SOCKET:+set}").inheritIO().start();
        child.waitFor();
        ProcessBuilder cleaned = new ProcessBuilder("sh", "-c", "echo cleaned-child=${NOTIFY_SOCKET:-unset}");
        cleaned.environment().remove("NOTIFY_SOCKET");
        cleaned.inheritIO().start().waitFor();
    }

    /** One notify; prints the outcome (used with native access denied). */
    private static void notifyOnce() {
        try {
            System.out.println("sent=" + Daemon.notify(false, "READY=1"));
        } catch (Exception e) {
            System.out.println(e.getClass().getName() + ": " + e.getMessage());
        }
    }
}
