package io.github.sdagent.agent.config;

import io.github.sdagent.agent.AgentLog;
import io.github.sdagent.agent.hooks.HookSpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentConfigTest {

    @TempDir
    Path dir;

    private static AgentConfig parse(String options) {
        return AgentConfig.load(options, new Properties());
    }

    private static String error(String options, Properties properties) {
        String message = assertThrows(IllegalArgumentException.class, () -> AgentConfig.load(options, properties)).getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        return message;
    }

    private static String error(String options) {
        return error(options, new Properties());
    }

    @Test
    void defaults() {
        AgentConfig config = AgentConfig.load(null, new Properties());
        assertTrue(config.ready().isEmpty());
        assertTrue(config.readySpec().auto() && config.readySpec().defaulted(), "no ready= means ready=auto");
        assertEquals(AgentConfig.ReadyWhen.ALL, config.readyWhen());
        assertTrue(config.watchdog());
        assertNull(config.watchdogInterval());
        assertEquals(io.github.sdagent.agent.ready.AutoReadiness.NOTHING_FOUND, config.status());
        assertEquals(Duration.ofSeconds(1), config.readyHttpInterval());
        assertEquals(Duration.ofSeconds(2), config.readyHttpTimeout());
        assertEquals(Duration.ofSeconds(60), config.hookGrace());
        assertEquals(AgentConfig.MainPid.AUTO, config.mainPid());
        assertEquals(AgentLog.Level.INFO, config.logLevel());
        assertNull(config.configFile());
        assertEquals(parse("").describe(), config.describe());
        assertEquals("Starting (waiting for a.B#start+c.D#bind(int))", parse("ready=a.B#start+c.D#bind:int").status());
    }

    @Test
    void everyKey() {
        AgentConfig config = parse("ready=org.eclipse.jetty.server.Server#start+io.netty.bootstrap.AbstractBootstrap#bind:int,"
                + "ready-when=any,watchdog=off,watchdog-interval=500ms,status=Warming up,hook-grace=2min,mainpid=on,log-level=debug");
        List<HookSpec> ready = config.ready();
        assertEquals(2, ready.size());
        assertEquals("org.eclipse.jetty.server.Server#start", ready.get(0).toString());
        assertEquals("io.netty.bootstrap.AbstractBootstrap#bind(int)", ready.get(1).toString());
        assertEquals(AgentConfig.ReadyWhen.ANY, config.readyWhen());
        assertFalse(config.watchdog());
        assertEquals(Duration.ofMillis(500), config.watchdogInterval());
        assertEquals("Warming up", config.status());
        assertEquals(Duration.ofMinutes(2), config.hookGrace());
        assertEquals(AgentConfig.MainPid.ON, config.mainPid());
        assertEquals(AgentLog.Level.DEBUG, config.logLevel());
    }

    @Test
    void commasInsideParenthesesBelongToTheSpec() {
        AgentConfig config = parse("ready=a.B#m(int,java.lang.String)+c.D#e(),watchdog=off");
        assertEquals("a.B#m(int,java.lang.String)", config.ready().get(0).toString());
        assertEquals("c.D#e()", config.ready().get(1).toString());
        assertFalse(config.watchdog());
        assertEquals(List.of("ready=a.B#m(int,long)", "x=1"), OptionSources.split("ready=a.B#m(int,long),x=1"));
    }

    @Test
    void emptyPairsAndSurroundingSpacesAreTolerated() {
        assertFalse(parse(",watchdog = off,,").watchdog());
    }

    @Test
    void describeRoundTripsThroughTheParser() {
        AgentConfig config = parse("ready=a.B#m:int,ready-when=any,watchdog-interval=1500ms,hook-grace=5s,mainpid=off");
        String options = config.toString().replace("config=(none)", "").replaceAll(",$", "");
        assertEquals(config.describe(), parse(options).describe());
    }

    @Test
    void agentOptionsOverrideSystemPropertiesWhichOverrideTheConfigFile() throws Exception {
        Path file = dir.resolve("sd-agent.properties");
        Files.writeString(file, "ready=a.File#start\nready-when=any\nwatchdog=off\nlog-level=warn\n");
        Properties system = new Properties();
        system.setProperty("sdagent.config", file.toString());
        system.setProperty("sdagent.watchdog", "on");
        system.setProperty("sdagent.log-level", "error");
        system.setProperty("unrelated.property", "x");
        AgentConfig config = AgentConfig.load("log-level=debug", system);
        assertEquals("a.File#start", config.ready().get(0).toString()); // only in the file
        assertEquals(AgentConfig.ReadyWhen.ANY, config.readyWhen());
        assertTrue(config.watchdog()); // system property beats file
        assertEquals(AgentLog.Level.DEBUG, config.logLevel()); // agent option beats both
        assertEquals(file.toString(), config.configFile());
    }

    @Test
    void configFileNamedInAgentOptions() throws Exception {
        Path file = dir.resolve("a.properties");
        Files.writeString(file, "status=From file\n");
        assertEquals("From file", parse("config=" + file).status());
    }

    @Test
    void unknownKeyNamesKeyValueSourceAndTheValidKeys() {
        String message = error("ready=a.B#c,readywhen=any");
        assertEquals("unknown option 'readywhen=any' (-javaagent options): valid keys are " + Option.keys(), message);
    }


    @Test
    void reloadIsOffByDefaultAndNotDescribed() {
        AgentConfig config = parse("");
        assertNull(config.reload());
        assertFalse(config.describe().contains("reload"), config.describe());
    }

    @Test
    void reloadWithSignalAndTimeout() {
        AgentConfig config = parse("reload=com.acme.Config#reload:,reload-signal=sigusr1,reload-timeout=2min");
        assertEquals("com.acme.Config#reload()", config.reload().toString());
        assertEquals("USR1", config.reloadSignal());
        assertEquals(Duration.ofMinutes(2), config.reloadTimeout());
        assertTrue(config.describe().contains("reload=com.acme.Config#reload()\nreload-signal=USR1\nreload-timeout=120s\n"),
                config.describe());
        AgentConfig defaults = parse("ready=a.B#c,watchdog-interval=1s,reload=com.acme.Config#reload");
        assertEquals("HUP", defaults.reloadSignal());
        assertEquals(Duration.ofSeconds(60), defaults.reloadTimeout());
        assertEquals(defaults.describe(), parse(defaults.toString().replace(",config=(none)", "")).describe());
    }

    @Test
    void badReloadOptionsNameTheKeyAndWhatIsAllowed() {
        assertEquals("invalid option reload=com.acme.Config#reload(int) (-javaagent options): the agent calls the "
                + "reload method without arguments; expected one Class#method spec of a method without parameters, "
                + "e.g. com.example.Config#reload", error("reload=com.acme.Config#reload(int)"));
        assertTrue(error("reload=com.acme.Config.reload").startsWith("invalid option reload=com.acme.Config.reload "
                + "(-javaagent options): bad hook spec"), error("reload=com.acme.Config.reload"));
        assertEquals("invalid option reload-signal=TERM (-javaagent options): expected HUP, USR1 or WINCH (as the "
                + "unit's ReloadSignal=), with reload=", error("reload=a.B#c,reload-signal=TERM"));
        assertEquals("invalid option reload-timeout=2h (-javaagent options): out of range; expected a duration from "
                + "100ms to 1h such as 60s, with reload=", error("reload=a.B#c,reload-timeout=2h"));
        assertEquals("invalid option reload-timeout=10ms (-javaagent options): out of range; expected a duration from "
                + "100ms to 1h such as 60s, with reload=", error("reload=a.B#c,reload-timeout=10ms"));
        assertEquals("invalid option reload-signal=USR1 (-javaagent options): no reload= method is configured; "
                + "expected HUP, USR1 or WINCH (as the unit's ReloadSignal=), with reload=", error("reload-signal=USR1"));
    }

    @Test
    void unknownSystemPropertyKey() {
        Properties system = new Properties();
        system.setProperty("sdagent.wachdog", "off");
        assertTrue(error(null, system).startsWith("unknown option 'sdagent.wachdog=off' (system property): valid keys are ready,"));
    }

    @Test
    void unknownKeyInConfigFile() throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "redy=a.B#c\n");
        assertTrue(error("config=" + file).startsWith("unknown option 'redy=a.B#c' (config file " + file + "): valid keys are"));
    }

    @Test
    void configInsideConfigFile() throws Exception {
        Path file = dir.resolve("nested.properties");
        Files.writeString(file, "config=/etc/other\n");
        assertTrue(error("config=" + file).contains("is not allowed inside a config file"));
    }

    @Test
    void missingConfigFile() {
        String message = error("config=/nonexistent/sd-agent.properties");
        assertTrue(message.startsWith("invalid option config=/nonexistent/sd-agent.properties (-javaagent options): cannot read the file"), message);
        assertTrue(message.contains("NoSuchFileException"), message);
    }

    @Test
    void pairWithoutValue() {
        assertEquals("option 'watchdog' (-javaagent options) has no value: expected key=value pairs separated by ',', keys: "
                + Option.keys(), error("watchdog"));
    }

    @Test
    void keyGivenTwice() {
        assertEquals("option ready is given twice (-javaagent options): join several hooks with '+' in one ready=",
                error("ready=a.B#c,ready=d.E#f"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ready-when=most|invalid option ready-when=most (-javaagent options): expected all or any",
            "watchdog=maybe|invalid option watchdog=maybe (-javaagent options): expected on or off",
            "watchdog-interval=abc|invalid option watchdog-interval=abc (-javaagent options): expected a duration such as 10s, 500ms or 2min",
            "watchdog-interval=0|invalid option watchdog-interval=0 (-javaagent options): expected a duration such as 10s, 500ms or 2min",
            "watchdog-interval=-5s|invalid option watchdog-interval=-5s (-javaagent options): expected a duration such as 10s, 500ms or 2min",
            "hook-grace=1 week|invalid option hook-grace=1 week (-javaagent options): expected a duration such as 60s or 2min",
            "mainpid=yes|invalid option mainpid=yes (-javaagent options): expected auto, on or off",
            "log-level=verbose|invalid option log-level=verbose (-javaagent options): expected error, warn, info, debug or off",
            "ready=|invalid option ready= (-javaagent options): no hook given; expected " + io.github.sdagent.agent.ready.ReadySpec.ALLOWED,
    })
    void badValues(String options, String expected) {
        assertEquals(expected, error(options));
    }

    @Test
    void malformedSpecNamesTheOptionAndTheSpecForms() {
        String message = error("ready=org.eclipse.jetty.server.Server.start");
        assertTrue(message.startsWith("invalid option ready=org.eclipse.jetty.server.Server.start (-javaagent options): bad hook spec"), message);
        assertTrue(message.contains("Class#method:T1:T2"), message);
        assertTrue(error("ready=a.B#c++d.E#f").startsWith("invalid option ready=a.B#c++d.E#f"));
    }

    @Test
    void badSystemPropertyValueNamesTheProperty() {
        Properties system = new Properties();
        system.setProperty("sdagent.ready-when", "some");
        assertEquals("invalid option ready-when=some (system property sdagent.ready-when): expected all or any", error(null, system));
    }

    @Test
    void statusTextIsOneLine() {
        assertEquals("a b", AgentConfig.load(null, props("sdagent.status", "a\nb")).status());
    }

    private static Properties props(String key, String value) {
        Properties properties = new Properties();
        properties.setProperty(key, value);
        return properties;
    }

    @ParameterizedTest
    @CsvSource({"500ms,PT0.5S", "10s,PT10S", "10,PT10S", "2min,PT2M", "2m,PT2M", "1h,PT1H", "250us,PT0.00025S", "3sec,PT3S"})
    void durations(String text, String expected) {
        assertEquals(Duration.parse(expected), Durations.parse(text));
        assertEquals(Duration.parse(expected), Durations.parse(Durations.format(Duration.parse(expected))));
    }

    @ParameterizedTest
    @CsvSource({"''", "s", "1.5s", "10 days", "0ms", "9999999999"})
    void badDurations(String text) {
        assertNull(Durations.parse(text));
    }

    @Test
    void socketsOption() {
        assertEquals("auto", parse("").sockets().toString());
        assertEquals("off", parse("sockets=off").sockets().toString());
        assertEquals("web:8080+admin:9090", parse("sockets=web:8080+admin:9090").sockets().toString());
        assertEquals("invalid option sockets=web (-javaagent options): 'web' is not name:port (port 1-65535); expected "
                + "auto, off, or name:port pairs joined with '+' (names from LISTEN_FDNAMES), e.g. web:8080+admin:9090",
                error("sockets=web"));
    }
}
