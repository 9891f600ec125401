package io.github.sdagent.core;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real systemd user manager the tests talk to. Without one, tests fail when SDAGENT_REQUIRE_SYSTEMD=1
 * (CI) and are skipped (a JUnit assumption, reported as skipped) otherwise.
 */
final class UserManager {
    private UserManager() {
    }

    /** Environment for systemctl/systemd-run: XDG_RUNTIME_DIR defaults to /run/user/UID. */
    static Map<String, String> environment() throws IOException {
        Map<String, String> env = new HashMap<>();
        if (System.getenv("XDG_RUNTIME_DIR") == null) {
            env.put("XDG_RUNTIME_DIR", "/run/user/" + Files.getAttribute(Paths.get("/proc/self"), "unix:uid"));
        }
        return env;
    }

    /** Returns when `systemctl --user` answers; otherwise fails (CI) or skips. */
    static void require() throws Exception {
        String problem;
        try {
            Processes.Result r = systemctl("is-system-running");
            String state = r.output().trim();
            if (state.equals("running") || state.equals("degraded") || state.equals("starting")) {
                return;
            }
            problem = "systemctl --user is-system-running says: " + state;
        } catch (IOException e) {
            problem = "cannot run systemctl: " + e.getMessage();
        }
        unavailable("no systemd user manager answers (" + problem + "); start one with "
                + "integration-tests/user-manager.sh ensure");
    }

    /** Fails under SDAGENT_REQUIRE_SYSTEMD=1, otherwise skips the test. */
    static void unavailable(String why) {
        if ("1".equals(System.getenv("SDAGENT_REQUIRE_SYSTEMD"))) {
            fail(why + " (SDAGENT_REQUIRE_SYSTEMD=1, so this is a failure)");
        }
        Assumptions.abort(why);
    }

    static Processes.Result systemctl(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("systemctl", "--user"));
        command.addAll(List.of(args));
        return Processes.run(command, environment(), Duration.ofSeconds(60));
    }

    /** `systemctl --user show UNIT -p ...` as a map. */
    static Map<String, String> show(String unit, String... properties) throws Exception {
        Processes.Result r = systemctl("show", unit, "-p", String.join(",", properties));
        Map<String, String> values = new HashMap<>();
        for (String line : r.output().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }

    /** Polls until the unit's properties satisfy the check; returns the last values seen. */
    static Map<String, String> awaitShow(String unit, Duration timeout, java.util.function.Predicate<Map<String, String>> done,
            String... properties) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        Map<String, String> values = show(unit, properties);
        while (!done.test(values) && System.nanoTime() < end) {
            Thread.sleep(200);
            values = show(unit, properties);
        }
        return values;
    }

    /** Stops and forgets a unit of ours; never throws. */
    static void cleanup(String unit) {
        try {
            systemctl("stop", unit);
            systemctl("reset-failed", unit);
        } catch (Exception e) {
            System.err.println("cleanup of " + unit + " failed: " + e);
        }
    }
}
