package io.github.sdagent.agent;

import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real systemd user manager (`systemctl --user`). Without one, tests skip, unless SDAGENT_REQUIRE_SYSTEMD=1
 * (CI) makes that a failure. XDG_RUNTIME_DIR defaults to /run/user/UID as in a login session.
 */
final class UserManager {

    static final String RUNTIME_DIR = System.getenv().getOrDefault("XDG_RUNTIME_DIR",
            "/run/user/" + uid());

    private UserManager() {
    }

    private static String uid() {
        try {
            return run("id", "-u").trim();
        } catch (Exception e) {
            return "0";
        }
    }

    static void require() throws Exception {
        String state = "";
        try {
            state = run("systemctl", "--user", "is-system-running").trim();
        } catch (Exception e) {
            state = e.toString();
        }
        boolean up = state.equals("running") || state.equals("degraded") || state.equals("starting");
        if (!up) {
            String why = "no systemd user manager answers `systemctl --user` (XDG_RUNTIME_DIR=" + RUNTIME_DIR + "): " + state
                    + "; start one with integration-tests/user-manager.sh ensure";
            if ("1".equals(System.getenv("SDAGENT_REQUIRE_SYSTEMD"))) {
                fail(why);
            }
            Assumptions.assumeTrue(false, why);
        }
    }

    /** Runs a command with XDG_RUNTIME_DIR set; returns stdout+stderr. */
    static String run(String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("XDG_RUNTIME_DIR", RUNTIME_DIR);
        Process process = builder.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = process.getInputStream()) {
            in.transferTo(out);
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + Arrays.toString(command));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static Map<String, String> show(String unit) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        String text = run("systemctl", "--user", "show", unit, "-p",
                "ActiveState,SubState,Result,StatusText,NRestarts,MainPID,ExecMainStatus,ExecMainCode");
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                properties.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return properties;
    }

    /** Polls until ActiveState is one of {@code states}; returns the last properties seen. */
    static Map<String, String> await(String unit, long timeoutMillis, String... states) throws Exception {
        List<String> wanted = Arrays.asList(states);
        long deadline = System.currentTimeMillis() + timeoutMillis;
        Map<String, String> seen = show(unit);
        while (!wanted.contains(seen.get("ActiveState")) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            seen = show(unit);
        }
        return seen;
    }

    /** Stops and forgets a unit of ours; never throws. */
    static void cleanUp(String unit) {
        try {
            run("systemctl", "--user", "kill", "--signal=SIGKILL", unit);
            run("systemctl", "--user", "stop", unit);
            run("systemctl", "--user", "reset-failed", unit);
        } catch (Exception ignored) {
            // best effort
        }
    }
}
