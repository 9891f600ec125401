package io.github.sdagent.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent under the real systemd user manager: units named sdagent-agent-*, always cleaned up. */
class SystemdUnitIT {

    static final String APP = ForkedAgentIT.APP;

    @TempDir
    Path dir;

    private final List<String> units = new ArrayList<>();

    @BeforeEach
    void manager() throws Exception {
        UserManager.require();
    }

    @AfterEach
    void cleanUp() {
        units.forEach(UserManager::cleanUp);
    }

    private String unit(String what) {
        String unit = "sdagent-agent-" + what + "-" + ThreadLocalRandom.current().nextInt(1_000_000) + ".service";
        units.add(unit);
        return unit;
    }

    private String javaCommand(String options, String mode) {
        return ForkedJvm.java(ForkedJvm.JDK17) + " -javaagent:" + ForkedJvm.agentJar() + "=" + options
                + " -cp " + ForkedJvm.testClasspath() + " " + APP + " " + mode;
    }

    private List<String> systemdRun(String unit, Path output, String... properties) {
        List<String> command = new ArrayList<>(Arrays.asList("systemd-run", "--user", "--unit=" + unit,
                "-p", "Type=notify", "-p", "SuccessExitStatus=143", "-p", "TimeoutStartSec=60",
                "-p", "StandardOutput=file:" + output, "-p", "StandardError=file:" + output));
        for (String property : properties) {
            command.add("-p");
            command.add(property);
        }
        return command;
    }

    private static int port(Path output) throws Exception {
        return Integer.parseInt(awaitListening(output).group(1));
    }

    /**
     * The app's "listening on port N pid P" line. READY=1 leaves as the hooked listen() returns, so the app may print
     * it a moment after the unit became active: waited for, up to 10 s.
     */
    private static Matcher awaitListening(Path output) throws Exception {
        Pattern listening = Pattern.compile("listening on port (\\d+) pid (\\d+)");
        long end = System.nanoTime() + 10_000_000_000L;
        Matcher m = listening.matcher(Files.readString(output));
        while (!m.find() && System.nanoTime() < end) {
            Thread.sleep(50);
            m = listening.matcher(Files.readString(output));
        }
        assertTrue(m.find(0), Files.readString(output));
        return m;
    }

    private static String get(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void watchdogUnitStaysActiveBecauseTheAgentPingsAndStopsCleanly() throws Exception {
        String unit = unit("watchdog");
        Path output = dir.resolve("out.txt");
        List<String> command = systemdRun(unit, output, "WatchdogSec=3");
        command.addAll(Arrays.asList(javaCommand("ready=" + ForkedAgentIT.LISTEN, "serve").split(" ")));
        String started = UserManager.run(command.toArray(new String[0]));
        Map<String, String> state = UserManager.await(unit, 60_000, "active", "failed");
        assertEquals("active", state.get("ActiveState"), started + state + Files.readString(output));
        assertTrue(state.get("StatusText").matches("Ready in \\d+\\.\\d\\d s \\(" + Pattern.quote(ForkedAgentIT.LISTEN) + "\\)"), state.toString());
        assertEquals("hello from TinyHttpApp\n", get(port(output)));

        Thread.sleep(8_000); // more than two WatchdogSec periods
        state = UserManager.show(unit);
        assertEquals("active", state.get("ActiveState"), "killed despite the agent's pings: " + state + Files.readString(output));
        assertEquals("0", state.get("NRestarts"));

        UserManager.run("systemctl", "--user", "stop", unit);
        state = UserManager.show(unit);
        assertEquals("success", state.get("Result"), state + Files.readString(output));
        assertTrue(Files.readString(output).contains("app shutdown hook ran"), Files.readString(output));
    }

    @Test
    void withoutTheAgentsPingsTheSameUnitIsKilledByTheWatchdog() throws Exception {
        String unit = unit("nowatchdog");
        Path output = dir.resolve("out.txt");
        List<String> command = systemdRun(unit, output, "WatchdogSec=2");
        command.addAll(Arrays.asList(javaCommand("ready=" + ForkedAgentIT.LISTEN + ",watchdog=off", "serve").split(" ")));
        UserManager.run(command.toArray(new String[0]));
        Map<String, String> state = UserManager.await(unit, 60_000, "active", "failed");
        assertEquals("active", state.get("ActiveState"), state + Files.readString(output));
        state = UserManager.await(unit, 20_000, "failed", "inactive");
        assertEquals("watchdog", state.get("Result"), state + Files.readString(output));
    }

    @Test
    void unitFileWithUnquotedOptionsAndAForkingWrapper() throws Exception {
        String unit = unit("wrapper");
        Path output = dir.resolve("out.txt");
        String options = "ready=" + ForkedAgentIT.LISTEN + ":int+" + APP + "#main:java.lang.String[],ready-when=any,watchdog-interval=1s";
        // The JVM is a child of sh (not exec'ed): it tells systemd its pid, which NotifyAccess=all permits.
        Path unitDir = Paths.get(System.getProperty("user.home"), ".config/systemd/user");
        Files.createDirectories(unitDir);
        Path unitFile = unitDir.resolve(unit);
        Files.writeString(unitFile, String.join("\n",
                "[Service]",
                "Type=notify",
                "NotifyAccess=all",
                "WatchdogSec=4",
                "SuccessExitStatus=143",
                "TimeoutStartSec=60",
                "StandardOutput=file:" + output,
                "StandardError=file:" + output,
                "ExecStart=/bin/sh -c '" + javaCommand(options, "serve") + "; echo wrapper done'",
                ""), StandardCharsets.UTF_8);
        try {
            UserManager.run("systemctl", "--user", "daemon-reload");
            String started = UserManager.run("systemctl", "--user", "start", unit);
            Map<String, String> state = UserManager.await(unit, 60_000, "active", "failed");
            assertEquals("active", state.get("ActiveState"), started + state + Files.readString(output));
            Matcher m = awaitListening(output);
            assertEquals(m.group(2), state.get("MainPID"), "MAINPID= must make the JVM the main process: " + state);
            // the one line that tells an operator without NotifyAccess=all why the unit never gets ready
            assertTrue(Files.readString(output).contains("sd-agent: this JVM (pid " + m.group(2) + ") is a child of the "
                    + "service's main process (pid "), Files.readString(output));
            Thread.sleep(6_000);
            assertEquals("active", UserManager.show(unit).get("ActiveState"), Files.readString(output));
        } finally {
            UserManager.cleanUp(unit);
            Files.deleteIfExists(unitFile);
            UserManager.run("systemctl", "--user", "daemon-reload");
        }
    }
}
