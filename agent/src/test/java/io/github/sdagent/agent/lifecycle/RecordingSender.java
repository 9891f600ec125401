package io.github.sdagent.agent.lifecycle;

import io.github.sdagent.agent.AgentLog;
import io.github.sdagent.agent.AgentThread;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Records what the agent would send (joined with '\n', as on the wire) and what it logs. */
public class RecordingSender implements Notifier.Sender, AutoCloseable {

    public final BlockingQueue<String> sent = new LinkedBlockingQueue<>();
    public final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    public final AgentLog log = new AgentLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), false, AgentLog.Level.DEBUG);
    public final ScheduledExecutorService executor = AgentThread.create(log);
    public final Notifier notifier = new Notifier(this, executor, log);
    public volatile java.io.IOException failure;

    @Override
    public boolean send(String... assignments) throws java.io.IOException {
        if (failure != null) {
            throw failure;
        }
        sent.add(String.join("\n", assignments));
        return true;
    }

    public String next() throws InterruptedException {
        String message = sent.poll(5, TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("nothing sent within 5 s; log: " + log());
        }
        return message;
    }

    /** Everything sent after the agent thread has drained its queue. */
    public List<String> rest(Duration settle) throws Exception {
        executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
        Thread.sleep(settle.toMillis());
        List<String> rest = new ArrayList<>();
        sent.drainTo(rest);
        return rest;
    }

    public String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
