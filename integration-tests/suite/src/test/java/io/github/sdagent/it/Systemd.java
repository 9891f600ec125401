package io.github.sdagent.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The systemd user manager the units run under: the user's own where it answers; otherwise (root in
 * a container) a private one started by user-manager.sh, the same script CI uses, and stopped again
 * when the suite's JVM exits.
 */
final class Systemd {
    private static String runtimeDir;
    private static String unreachable;

    private Systemd() {
    }

    /** Makes sure a manager answers, or skips (fails under SDAGENT_REQUIRE_SYSTEMD=1) the calling test. */
    static synchronized void require() {
        if (runtimeDir == null && unreachable == null) {
            connect();
        }
        Suite.require(unreachable == null, "no systemd user manager: " + unreachable);
    }

    private static void connect() {
        String script = Suite.userManagerScript().toString();
        String env = System.getenv("XDG_RUNTIME_DIR");
        String dir = env != null ? env : "/run/user/" + uid();
        if (answers(dir)) {
            runtimeDir = dir; // the user's own (or CI's) manager: used, never stopped
        } else {
            Result ensured = Result.of(List.of("bash", script, "ensure"), Map.of("XDG_RUNTIME_DIR", dir), 30);
            String line = ensured.output.lines().filter(l -> l.startsWith("XDG_RUNTIME_DIR=")).findFirst().orElse(null);
            if (ensured.status != 0 || line == null) {
                unreachable = "user-manager.sh ensure exited " + ensured.status + ": " + ensured.output.strip();
                return;
            }
            runtimeDir = line.substring("XDG_RUNTIME_DIR=".length()).strip();
            // This run started a private manager: stop it (by the pid ensure recorded) when the suite ends.
            Runtime.getRuntime().addShutdownHook(new Thread(
                    () -> Result.of(List.of("bash", script, "stop"), Map.of("XDG_RUNTIME_DIR", runtimeDir), 30)));
        }
        sweepLeftovers();
    }

    private static boolean answers(String dir) {
        String state = Result.of(List.of("systemctl", "--user", "is-system-running"), Map.of("XDG_RUNTIME_DIR", dir), 10)
                .output.strip();
        return state.equals("running") || state.equals("degraded") || state.equals("starting");
    }

    private static String uid() {
        return Result.of(List.of("id", "-u"), Map.of(), 10).output.strip();
    }

    /**
     * Units of an earlier run that was killed before its cleanup ran: only this run's prefix (it.unit.prefix), so
     * that a checkout testing with its own prefix never kills the units of another one running at the same time.
     */
    private static void sweepLeftovers() {
        String prefix = System.getProperty("it.unit.prefix", "sdagent-it-");
        Result units = systemctl("list-units", "--all", "--plain", "--no-legend", prefix + "*");
        for (String line : units.output.split("\n")) {
            String unit = line.strip().split("\\s+")[0];
            if (unit.startsWith(prefix)) {
                systemctl("kill", "--signal=KILL", unit);
                systemctl("stop", unit);
                systemctl("reset-failed", unit);
            }
        }
    }

    static Result systemctl(String... args) {
        List<String> command = new ArrayList<>(List.of("systemctl", "--user"));
        command.addAll(List.of(args));
        return run(command);
    }

    static Result run(List<String> command) {
        return Result.of(command, Map.of("XDG_RUNTIME_DIR", runtimeDir), 60);
    }

    static String runtimeDir() {
        return runtimeDir;
    }

    /** A finished command: exit status and stdout+stderr. */
    static final class Result {
        final int status;
        final String output;

        private Result(int status, String output) {
            this.status = status;
            this.output = output;
        }

        static Result of(List<String> command, Map<String, String> env, long timeoutSeconds) {
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
                builder.environment().putAll(env);
                Process process = builder.start();
                process.getOutputStream().close();
                byte[] out = process.getInputStream().readAllBytes();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return new Result(-1, "timed out after " + timeoutSeconds + " s: " + command);
                }
                return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
            } catch (IOException e) {
                return new Result(-1, command + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(-1, command + ": interrupted");
            }
        }

        Result check() {
            if (status != 0) {
                throw new IllegalStateException("exit status " + status + ": " + output.strip());
            }
            return this;
        }
    }
}
