package io.github.sdagent.agent.watchdog;

import io.github.sdagent.agent.AgentLog;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Records what the watchdog would send (assignments joined with '\n') and what it logs (at debug level). */
class RecordingNotifications implements Notifications, AutoCloseable {

    final BlockingQueue<String> sent = new LinkedBlockingQueue<>();
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final ScheduledExecutorService executor = AgentThreads.single("sd-agent");
    private final PrintStream logOut = new PrintStream(logBytes, true);

    /** An AgentLog writing into {@link #log()}: AgentLog's constructor is package-private, so through System.err. */
    final AgentLog log;

    RecordingNotifications() {
        PrintStream saved = System.err;
        System.setErr(logOut);
        try {
            log = AgentLog.stderr(java.util.Collections.<String, String>emptyMap(), AgentLog.Level.DEBUG);
        } finally {
            System.setErr(saved);
        }
    }

    @Override
    public boolean sendNow(String... assignments) {
        sent.add(String.join("\n", assignments));
        return true;
    }

    @Override
    public void post(String... assignments) {
        executor.execute(() -> sendNow(assignments));
    }

    @Override
    public ScheduledExecutorService executor() {
        return executor;
    }

    String next() throws InterruptedException {
        String message = sent.poll(10, TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("nothing sent within 10 s; log: " + log());
        }
        return message;
    }

    /** Everything sent once the agent thread has drained its queue. */
    List<String> drain() throws Exception {
        executor.submit(() -> { }).get(10, TimeUnit.SECONDS);
        List<String> rest = new ArrayList<>();
        sent.drainTo(rest);
        return rest;
    }

    String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
