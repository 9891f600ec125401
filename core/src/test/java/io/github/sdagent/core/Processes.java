package io.github.sdagent.core;

import com.sun.jna.Native;

import java.io.IOException;
import java.net.URISyntaxException;
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

import static org.junit.jupiter.api.Assertions.fail;

/** Running commands from tests, and the java command line for {@link ServiceMain}. */
final class Processes {
    /** What a finished command printed (stdout and stderr merged) and its exit status. */
    record Result(int exitCode, String output) {
    }

    private Processes() {
    }

    static Result run(List<String> command, Map<String, String> environment, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        byte[][] output = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                output[0] = process.getInputStream().readAllBytes();
            } catch (IOException e) {
                output[0] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            reader.join(2000);
            fail("timed out after " + timeout + ": " + command + "\n" + text(output[0]));
        }
        reader.join(5000);
        return new Result(process.exitValue(), text(output[0]));
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }

    /** {@code java -cp classes:test-classes:jna.jar io.github.sdagent.core.ServiceMain args...} on this JVM's java. */
    static List<String> javaMain(String... args) {
        return javaMain(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), true, args);
    }

    static List<String> javaMain(String java, boolean allowNativeAccess, String... args) {
        List<String> command = new ArrayList<>();
        command.add(java);
        if (allowNativeAccess && Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.add("-Xshare:auto");
        command.add("-cp");
        command.add(String.join(":", codeSource(Daemon.class), codeSource(ServiceMain.class), codeSource(Native.class)));
        command.add(ServiceMain.class.getName());
        command.addAll(Arrays.asList(args));
        return command;
    }

    private static String codeSource(Class<?> type) {
        try {
            Path path = Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.exists(path)) {
                throw new IllegalStateException("missing " + path);
            }
            return path.toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
