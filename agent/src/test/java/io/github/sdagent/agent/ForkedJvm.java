package io.github.sdagent.agent;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A JVM started by a test, usually with {@code -javaagent:agent/target/sd-agent.jar}; stdout/stderr go to files. */
final class ForkedJvm implements AutoCloseable {

    static final String JDK17 = System.getProperty("java.home");
    static final String JDK25 = System.getProperty("sdagent.test.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64");

    final Process process;
    final Path out;
    final Path err;

    private ForkedJvm(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    static Path agentJar() {
        Path jar = Paths.get(System.getProperty("sdagent.test.agent.jar", "target/sd-agent.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run `mvn -pl agent verify` (the jar is built in package)");
        }
        return jar;
    }

    static String testClasspath() {
        return Paths.get("target/test-classes").toAbsolutePath().toString();
    }

    static String java(String javaHome) {
        return javaHome + File.separator + "bin" + File.separator + "java";
    }

    /** Starts {@code javaHome/bin/java jvmArgs... mainClass args...} with {@code env} changes (null value removes). */
    static ForkedJvm start(Path dir, String javaHome, List<String> jvmArgs, String mainClass, List<String> args,
                           Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java(javaHome));
        command.addAll(jvmArgs);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        for (String key : Arrays.asList("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID",
                "LISTEN_FDNAMES", "JOURNAL_STREAM", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            builder.environment().remove(key);
        }
        env.forEach((key, value) -> {
            if (value == null) {
                builder.environment().remove(key);
            } else {
                builder.environment().put(key, value);
            }
        });
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        return new ForkedJvm(builder.start(), out, err);
    }

    int waitFor(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("forked JVM did not exit within " + timeout + "\nstdout: " + stdout() + "\nstderr: " + stderr());
        }
        return process.exitValue();
    }

    /** Waits until stdout contains {@code text}. */
    void awaitStdout(String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!stdout().contains(text)) {
            if (System.nanoTime() > deadline || !process.isAlive() && !stdout().contains(text)) {
                throw new AssertionError("stdout never showed '" + text + "'\nstdout: " + stdout() + "\nstderr: " + stderr());
            }
            Thread.sleep(20);
        }
    }

    String stdout() throws IOException {
        return new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return new String(Files.readAllBytes(err), StandardCharsets.UTF_8);
    }

    void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
