package io.github.sdagent.agent.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A real JVM with systemd's variables starts real child processes (/usr/bin/env) with and without the scrubbing. */
class ChildEnvironmentTest {

    private static final List<String> SYSTEMD_VARIABLES =
            List.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES");
    private static final List<String> WAYS = List.of("processbuilder", "exec", "exec-envp", "pipeline");

    @Test
    void childrenDoNotSeeSystemdsVariablesButTheServiceJvmDoes() throws Exception {
        List<String> output = probe();
        assertTrue(output.contains("self NOTIFY_SOCKET=/run/sdagent-test/notify"), String.join("\n", output));
        for (String way : WAYS) {
            List<String> seen = variables(output, way);
            assertEquals(List.of(), seen.stream().filter(SYSTEMD_VARIABLES::contains).collect(Collectors.toList()),
                    way);
            assertTrue(seen.contains("SDAGENT_PROBE"), way + " lost an ordinary variable: " + seen);
        }
        assertTrue(output.stream().noneMatch(line -> line.startsWith("PROBLEM")), String.join("\n", output));
    }

    @Test
    void withoutTheScrubbingChildrenWouldInheritThem() throws Exception {
        List<String> output = probe("--plain");
        for (String way : List.of("processbuilder", "exec", "pipeline")) {
            assertTrue(variables(output, way).containsAll(SYSTEMD_VARIABLES), way + ": " + output);
        }
        assertTrue(variables(output, "exec-envp").containsAll(List.of("NOTIFY_SOCKET", "LISTEN_FDS")));
    }

    private static List<String> variables(List<String> output, String way) {
        return output.stream().filter(line -> line.startsWith(way + ": ") && line.contains("="))
                .map(line -> line.substring(way.length() + 2, line.indexOf('='))).collect(Collectors.toList());
    }

    private static List<String> probe(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+EnableDynamicAgentLoading", "-Djdk.attach.allowAttachSelf=true", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), ChildEnvironmentProbe.class.getName()));
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.put("NOTIFY_SOCKET", "/run/sdagent-test/notify");
        environment.put("WATCHDOG_USEC", "30000000");
        environment.put("WATCHDOG_PID", "1");
        environment.put("LISTEN_PID", "1");
        environment.put("LISTEN_FDS", "1");
        environment.put("LISTEN_FDNAMES", "http");
        environment.put("SDAGENT_PROBE", "kept");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        return Arrays.asList(output.split("\n"));
    }
}
