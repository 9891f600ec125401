package io.github.sdagent.agent.cli;

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
        Properties properties = new Properties();
        properties.setProperty("java.class.path", "/opt/sd-agent/sd-agent.jar");
        return Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                properties);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void configPrintsTheParsedConfiguration() {
        assertEquals(0, run("config", "ready=a.B#start:int,ready-when=any", "watchdog=off"));
        assertTrue(out().startsWith("ready=a.B#start(int)\nready-when=any\nwatchdog=off\n"), out());
        assertEquals("", err());
    }

    @Test
    void configReportsTheErrorAndExitsOne() {
        assertEquals(1, run("config", "watchdog-interval=soon"));
        assertEquals("sd-agent: invalid option watchdog-interval=soon (-javaagent options): expected a duration such as 10s, 500ms or 2min\n", err());
    }

    /** Issue 15: a value clamped into its bounds was silently shown clamped; now config says it, as premain does. */
    @Test
    void configSaysWhenAValueIsClampedIntoItsBounds() {
        assertEquals(0, run("config", "hook-grace=1us"));
        assertTrue(out().contains("\nhook-grace=1s\n"), out());
        assertEquals("sd-agent: hook-grace=1us (-javaagent options) is outside 1s..86400s; using 1s\n", err());
    }

    /** Issue 15: a control character in a value is shown escaped, so the one line stays one line. */
    @Test
    void configShowsControlCharactersEscaped() {
        assertEquals(1, run("config", "ready-when=most\nREADY=1"));
        assertEquals("sd-agent: invalid option ready-when=most\\nREADY=1 (-javaagent options): expected all or any\n", err());
    }

    @Test
    void noArgumentsPrintsUsage() {
        assertEquals(0, run());
        assertTrue(out().startsWith("usage: java -jar sd-agent.jar COMMAND"), out());
        assertEquals("", err());
    }

    @Test
    void usageErrorsAreOneLineAndExitTwo() {
        assertEquals(2, run("frobnicate"));
        assertEquals(2, run("notify"));
        assertEquals(2, run("notify", "READY"));
        assertEquals(2, run("version", "extra"));
        assertEquals(2, run("unit", "--frobnicate", "--", "java", "-jar", "app.jar"));
        assertEquals(2, run("unit", "--name=x"));
        assertEquals(2, run("unit", "--watchdog=soon", "--", "java", "-jar", "app.jar"));
        assertEquals(2, run("unit", "--listen=http", "--", "java", "-jar", "app.jar"));
        assertEquals(2, run("unit", "--reload=maybe", "--", "java", "-jar", "app.jar"));
        assertEquals(2, run("unit", "--user", "--run-as=app", "--", "java", "-jar", "app.jar"));
        assertEquals(2, run("drop-in"));
        assertEquals(2, run("drop-in", "--agent", "kafka"));
        assertEquals(2, run("check", "--timeout=5s"));
        assertEquals(2, run("check", "--json=yes", "--", "java"));
        assertEquals("", out());
        String[] lines = err().trim().split("\n");
        assertEquals(14, lines.length, err());
        for (String line : lines) {
            assertTrue(line.startsWith("sd-agent: ") && line.endsWith("(commands: unit, drop-in, check, config, notify, version, help; see: java -jar sd-agent.jar help)"), line);
        }
        assertTrue(lines[0].startsWith("sd-agent: unknown command 'frobnicate'"), lines[0]);
        assertTrue(lines[2].startsWith("sd-agent: notify argument 'READY' is not KEY=VALUE"), lines[2]);
        assertTrue(lines[4].startsWith("sd-agent: unit: unknown option '--frobnicate' (options: --name=..."), lines[4]);
        assertTrue(lines[5].startsWith("sd-agent: unit: give the application's command line after --"), lines[5]);
        assertTrue(lines[6].startsWith("sd-agent: unit: invalid --watchdog=soon: expected a duration"), lines[6]);
        assertTrue(lines[7].startsWith("sd-agent: unit: invalid --listen=http: expected [ADDR:]PORT"), lines[7]);
        assertTrue(lines[11].startsWith("sd-agent: drop-in: option --agent needs a value"), lines[11]);
        assertTrue(lines[13].startsWith("sd-agent: check: option --json takes no value"), lines[13]);
    }

    @Test
    void unitWithInvalidAgentOptionsSaysWhyAndExitsOne() {
        assertEquals(1, run("unit", "--agent=ready-when=most", "--", "java", "-jar", "app.jar"));
        assertEquals("sd-agent: unit: --agent: invalid option ready-when=most (-javaagent options): expected all or any\n", err());
        assertEquals("", out());
    }

    @Test
    void unitUsesTheJarItRunsFrom() {
        assertEquals(0, run("unit", "--reload=signal", "--", "/usr/bin/java", "-jar", "/opt/app/app.jar"));
        assertTrue(out().contains("\nExecStart=/usr/bin/java -javaagent:/opt/sd-agent/sd-agent.jar -jar /opt/app/app.jar\n"), out());
    }

    @Test
    void unitWithListenPrintsBothFilesEachAfterItsName() {
        assertEquals(0, run("unit", "--listen=8080", "--", "/usr/bin/java", "-jar", "/opt/app/app.jar"));
        assertTrue(out().startsWith("# file: app.service\n# Generated by sd-agent"), out());
        assertTrue(out().contains("\n\n# file: app.socket\n# Generated by sd-agent"), out());
    }

    @Test
    void helpAndVersion() {
        assertEquals(0, run("help"));
        assertTrue(out().startsWith("usage: java -jar sd-agent.jar COMMAND"), out());
        out.reset();
        assertEquals(0, run("version"));
        assertTrue(out().matches("sd-agent \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\nByte Buddy \\d+\\.\\d+\\.\\d+ \\(its bundled ASM only\\)\nJNA \\d+\\.\\d+\\.\\d+\n"), out());
    }
}
