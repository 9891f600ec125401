package io.github.sdagent.agent;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new Properties());
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void checkPrintsTheParsedConfiguration() {
        assertEquals(0, run("check", "ready=a.B#start:int,ready-when=any", "watchdog=off"));
        assertTrue(out().startsWith("ready=a.B#start(int)\nready-when=any\nwatchdog=off\n"), out());
        assertEquals("", err());
    }

    @Test
    void checkReportsTheErrorAndExitsOne() {
        assertEquals(1, run("check", "watchdog-interval=soon"));
        assertEquals("sd-agent: invalid option watchdog-interval=soon (-javaagent options): expected a duration such as 10s, 500ms or 2min\n", err());
    }

    @Test
    void usageErrorsAreOneLineAndExitTwo() {
        assertEquals(2, run());
        assertEquals(2, run("frobnicate"));
        assertEquals(2, run("notify"));
        assertEquals(2, run("notify", "READY"));
        assertEquals(2, run("version", "extra"));
        String[] lines = err().trim().split("\n");
        assertEquals(5, lines.length, err());
        assertTrue(lines[1].startsWith("sd-agent: unknown command 'frobnicate' (commands: check, notify, version, help"), lines[1]);
        assertTrue(lines[3].startsWith("sd-agent: notify argument 'READY' is not KEY=VALUE"), lines[3]);
    }

    @Test
    void helpAndVersion() {
        assertEquals(0, run("help"));
        assertTrue(out().startsWith("usage: java -jar sd-agent.jar COMMAND"), out());
        out.reset();
        assertEquals(0, run("version"));
        assertTrue(out().matches("sd-agent \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n"), out());
    }
}
