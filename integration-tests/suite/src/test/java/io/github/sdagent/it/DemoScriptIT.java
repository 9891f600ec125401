package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The README's quick start, integration-tests/demo.sh, run as a newcomer would (minus the build Maven just did). */
class DemoScriptIT {
    @ParameterizedTest
    @EnumSource(Jdk.class)
    void demoShowsWhatSystemdSaw(Jdk jdk) {
        Systemd.require();
        String unit = "sdagent-it-demo-" + jdk.id();
        Map<String, String> env = Map.of(
                "XDG_RUNTIME_DIR", Systemd.runtimeDir(),
                "DEMO_UNIT", unit,
                "DEMO_PORT", Integer.toString(Net.freePort()),
                "DEMO_AGENT_JAR", Suite.agentJar().toString());
        Systemd.Result demo;
        try {
            demo = Systemd.Result.of(List.of("bash", Suite.demoScript().toString(), "--no-build",
                    "--java", jdk.java().toString()), env, 120);
        } finally {
            Systemd.systemctl("stop", unit);
            Systemd.systemctl("reset-failed", unit);
        }
        String out = demo.output;
        assertEquals(0, demo.status, out);
        assertTrue(out.contains("activating/start"), out);
        assertTrue(out.matches("(?s).*active/running STATUS=\"Ready[^\n]*org\\.eclipse\\.jetty\\.server\\.Server#start.*"), out);
        assertTrue(out.contains("-> hello from jetty"), out);
        assertTrue(out.contains("WATCHDOG=1"), out);
        assertTrue(out.contains("deactivating/"), out);
        assertTrue(out.contains("success exited 143"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("demo: OK")), out);
    }
}
