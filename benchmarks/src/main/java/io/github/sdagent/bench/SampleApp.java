package io.github.sdagent.bench;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sample application the benchmarks launch in its own JVM: how to start it on a port and which
 * method an operator would name in {@code ready=}.
 */
record SampleApp(String name, List<String> launchArgs, String readyHook, boolean printsStartedNanos) {

    /** The Jetty 12 sample of this module, on a class path made of its classes and Jetty's jars only. */
    static SampleApp jetty() {
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith("classes") || entry.contains("/org/eclipse/jetty/") || entry.contains("/org/slf4j/")) {
                classPath.add(entry);
            }
        }
        return new SampleApp("Jetty 12",
                List.of("-cp", String.join(File.pathSeparator, classPath), "io.github.sdagent.bench.app.JettySample",
                        "{port}"),
                "org.eclipse.jetty.server.Server#start", true);
    }

    /**
     * The fast starter (issue 14): {@code FastServer}, a plain ServerSocket server of this module that serves about
     * 100 ms after launch; on a class path of this module's classes only.
     */
    static SampleApp fastServer() {
        return new SampleApp("Fast ServerSocket server",
                List.of("-cp", classesDir(), "io.github.sdagent.bench.app.FastServer", "{port}"),
                "io.github.sdagent.bench.app.FastServer#listen:int", true);
    }

    /** Where the harness itself found FastServer: this module's classes directory. */
    private static String classesDir() {
        try {
            return Path.of(io.github.sdagent.bench.app.FastServer.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot locate this module's classes", e);
        }
    }

    /** Harness-only artifacts, kept off the Spring Boot sample's class path (with Jetty, which Boot would see). */
    private static final List<String> NOT_FOR_SPRING = List.of("/org/openjdk/jmh/", "/net/java/dev/jna/",
            "/io/github/sdagent/", "/net/sf/jopt-simple/", "/org/apache/commons/commons-math3/", "/org/eclipse/jetty/");

    /**
     * The Spring Boot sample: a fat jar that takes {@code --server.port} when {@code jar} is given, otherwise
     * this module's {@code SpringSample} on a class path of Spring Boot's jars.
     */
    static SampleApp springBoot(String jar, String readyHook) {
        List<String> start;
        String name;
        if (jar != null && !jar.isBlank()) {
            if (!Files.isRegularFile(Path.of(jar))) {
                throw new IllegalArgumentException("bench.springJar=" + jar + " is not a file");
            }
            start = List.of("-jar", jar);
            name = "Spring Boot 3 (" + Path.of(jar).getFileName() + ")";
        } else {
            List<String> classPath = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                if (NOT_FOR_SPRING.stream().noneMatch(entry::contains)) {
                    classPath.add(entry);
                }
            }
            start = List.of("-cp", String.join(File.pathSeparator, classPath),
                    "io.github.sdagent.bench.app.boot.SpringSample");
            name = "Spring Boot 3";
        }
        List<String> args = new ArrayList<>(start);
        args.addAll(List.of("--server.port={port}", "--server.address=127.0.0.1"));
        return new SampleApp(name, args, readyHook, false);
    }

    /** How the agent takes part in one launch. */
    enum Variant {
        NO_AGENT("no agent"),
        AGENT_NOTIFY("agent, NOTIFY_SOCKET set"),
        AGENT_NO_SOCKET("agent, no NOTIFY_SOCKET"),
        /** A -javaagent whose premain does nothing: what any agent costs the JVM, the floor for the inactive case. */
        EMPTY_AGENT("empty -javaagent");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    /** Variables a service manager sets; the harness clears them so only the variant decides. */
    static final List<String> SYSTEMD_VARIABLES = List.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
            "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "JOURNAL_STREAM", "INVOCATION_ID");

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Starts the sample. {@code agentArgs} is appended after {@code -javaagent:jar=} (null: no agent).
     * With a receiver, NOTIFY_SOCKET points at it and WATCHDOG_USEC is {@code watchdogUsec}.
     */
    Launched launch(Path java, List<String> jvmArgs, Path agentJar, String agentArgs, NotifyReceiver receiver,
                    long watchdogUsec, Path log) throws IOException {
        return launch(java, jvmArgs, agentJar, agentArgs, receiver, watchdogUsec, log, false);
    }

    /**
     * As above; {@code socketActivated}: under {@code systemd-socket-activate -l 127.0.0.1:PORT}, which holds the
     * port, starts the JVM on the first connection and passes the socket in LISTEN_FDS (the agent's bind adopts it).
     */
    Launched launch(Path java, List<String> jvmArgs, Path agentJar, String agentArgs, NotifyReceiver receiver,
                    long watchdogUsec, Path log, boolean socketActivated) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>();
        if (socketActivated) {
            command.addAll(List.of("systemd-socket-activate", "-l", "127.0.0.1:" + port));
            if (receiver != null) { // systemd-socket-activate passes on only the variables it is told to
                command.addAll(List.of("-E", "NOTIFY_SOCKET=" + receiver.path()));
                if (watchdogUsec > 0) {
                    command.addAll(List.of("-E", "WATCHDOG_USEC=" + watchdogUsec));
                }
            }
        }
        command.add(java.toString());
        command.addAll(jvmArgs);
        if (agentJar != null) {
            command.add("-javaagent:" + agentJar + (agentArgs == null ? "" : "=" + agentArgs));
        }
        for (String arg : launchArgs) {
            command.add(arg.replace("{port}", Integer.toString(port)));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        SYSTEMD_VARIABLES.forEach(environment::remove);
        if (receiver != null) {
            environment.put("NOTIFY_SOCKET", receiver.path());
            if (watchdogUsec > 0) {
                environment.put("WATCHDOG_USEC", Long.toString(watchdogUsec));
            }
        }
        long launchNanos = System.nanoTime();
        Process process = builder.start();
        return new Launched(this, process, port, launchNanos, log);
    }

    /** A running sample JVM. */
    record Launched(SampleApp app, Process process, int port, long launchNanos, Path log) implements AutoCloseable {

        /** Polls (connect + GET, 1 ms apart) until the port answers 200; nanoTime of that answer. */
        long awaitServing(long timeoutMillis) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (System.nanoTime() < deadline) {
                if (HttpProbe.get(port) == 200) {
                    return System.nanoTime();
                }
                if (!process.isAlive()) {
                    throw new IOException(app.name + " exited with " + process.exitValue() + " before serving:\n"
                            + tail());
                }
                Thread.sleep(1);
            }
            throw new NeverServed(app.name + " did not serve on port " + port + " within " + timeoutMillis + " ms:\n"
                    + tail());
        }

        /** A launch still running but not serving when its time was up. */
        static final class NeverServed extends IOException {
            NeverServed(String message) {
                super(message);
            }
        }

        /** The JVM's own thread dump (SIGQUIT prints it to the output), then the output's last 300 lines. */
        String threadDump() throws IOException, InterruptedException {
            new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid())).start().waitFor();
            Thread.sleep(2000);
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 300), lines.size()));
        }

        /** The value of a {@code KEY=number} line the sample printed, waiting for it up to the timeout. */
        long printedNanos(String key, long timeoutMillis) throws IOException, InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            do {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (line.startsWith(key + "=")) {
                        return Long.parseLong(line.substring(key.length() + 1).trim());
                    }
                }
                Thread.sleep(5);
            } while (System.currentTimeMillis() < deadline);
            throw new IOException(app.name + " did not print " + key + ":\n" + tail());
        }

        String tail() throws IOException {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        }

        long pid() {
            return process.pid();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
