package io.github.sdagent.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentLogTest {

    @TempDir
    Path dir;

    private String journalStreamOf(Path file) throws Exception {
        Map<String, Object> stat = Files.readAttributes(file, "unix:dev,ino");
        return stat.get("dev") + ":" + stat.get("ino");
    }

    @Test
    void journalStreamMatchesTheFileItNames() throws Exception {
        Path stream = Files.createFile(dir.resolve("stderr"));
        Path other = Files.createFile(dir.resolve("other"));
        assertTrue(AgentLog.streamMatches(journalStreamOf(stream), stream));
        assertFalse(AgentLog.streamMatches(journalStreamOf(other), stream));
    }

    @Test
    void journalStreamThroughProcSelfFdFollowsTheLink() throws Exception {
        Path file = Files.createFile(dir.resolve("fd-target"));
        try (java.io.FileOutputStream out = new java.io.FileOutputStream(file.toFile())) {
            long pid = ProcessHandle.current().pid();
            Path fdLink = null;
            for (Path fd : Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
                if (Files.isSymbolicLink(fd) && Files.readSymbolicLink(fd).equals(file)) {
                    fdLink = fd;
                }
            }
            assertTrue(fdLink != null, "no /proc fd link for " + file);
            assertTrue(AgentLog.streamMatches(journalStreamOf(file), fdLink));
        }
    }

    @Test
    void malformedJournalStreamNeverMatches() throws Exception {
        Path stream = Files.createFile(dir.resolve("stderr"));
        for (String bad : new String[] {null, "", "12", ":5", "a:b", "1:2:3", "99999999999999999999:1"}) {
            assertFalse(AgentLog.streamMatches(bad, stream), bad);
        }
        assertFalse(AgentLog.streamMatches("1:1", dir.resolve("missing")));
    }

    @Test
    void priorityPrefixOnlyForTheJournal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new AgentLog(out, true, AgentLog.Level.DEBUG).warn("watch out");
        new AgentLog(out, true, AgentLog.Level.DEBUG).error("broken");
        new AgentLog(out, true, AgentLog.Level.DEBUG).info("fine");
        new AgentLog(out, true, AgentLog.Level.DEBUG).debug("details");
        new AgentLog(out, false, AgentLog.Level.DEBUG).warn("plain");
        assertEquals("<4>sd-agent: watch out\n<3>sd-agent: broken\n<6>sd-agent: fine\n<7>sd-agent: details\nsd-agent: plain\n",
                bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void levelsFilterAndMessagesStayOnOneLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AgentLog log = new AgentLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, AgentLog.Level.WARN);
        log.info("hidden");
        log.debug("hidden");
        log.warn("two\nlines\r\n\tand tabs");
        AgentLog.stderr(Map.of(), AgentLog.Level.OFF).error("never printed");
        assertEquals("sd-agent: two lines and tabs\n", bytes.toString(StandardCharsets.UTF_8));
        assertFalse(log.withLevel(AgentLog.Level.OFF).enabled(AgentLog.Level.ERROR));
    }

    @Test
    void oneLineTruncatesHugeTexts() {
        String line = OneLine.of("x".repeat(5000));
        assertEquals(OneLine.MAX_LENGTH + 3, line.length());
        assertTrue(line.endsWith("..."));
        assertEquals("java.lang.IllegalStateException", OneLine.summary(new IllegalStateException()));
    }
}
