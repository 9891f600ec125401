package io.github.sdagent.agent;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's own messages: one line each on stderr, prefixed {@code sd-agent: }. When JOURNAL_STREAM names the
 * file stderr is connected to (systemd's "device:inode"), each line starts with the sd-daemon priority prefix
 * ({@code <3>} error, {@code <4>} warning, {@code <6>} info, {@code <7>} debug) so journalctl shows the right
 * priority. Never java.util.logging, never the application's logging: those may not be configured yet.
 */
public final class AgentLog {

    /** Levels in increasing verbosity; the number is the sd-daemon (syslog) priority. */
    public enum Level {
        OFF(-1), ERROR(3), WARN(4), INFO(6), DEBUG(7);

        final int priority;

        Level(int priority) {
            this.priority = priority;
        }

        public static Level parse(String text) {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        }
    }

    private final PrintStream out;
    private final boolean journalPrefix;
    private final Level level;

    public AgentLog(PrintStream out, boolean journalPrefix, Level level) {
        this.out = out;
        this.journalPrefix = journalPrefix;
        this.level = level;
    }

    /** stderr, with the priority prefix when JOURNAL_STREAM matches file descriptor 2. */
    public static AgentLog stderr(Map<String, String> env, Level level) {
        return new AgentLog(System.err, streamMatches(env.get("JOURNAL_STREAM"), Paths.get("/proc/self/fd/2")), level);
    }

    public AgentLog withLevel(Level newLevel) {
        return new AgentLog(out, journalPrefix, newLevel);
    }

    /**
     * True when {@code journalStream} ("dev:inode", decimal) names the file {@code fd} resolves to. Read through
     * the "unix" attribute view (stat of /proc/self/fd/N follows the magic link, sockets included): no native code.
     */
    static boolean streamMatches(String journalStream, Path fd) {
        if (journalStream == null) {
            return false;
        }
        int colon = journalStream.indexOf(':');
        if (colon <= 0) {
            return false;
        }
        try {
            long dev = Long.parseLong(journalStream.substring(0, colon).trim());
            long ino = Long.parseLong(journalStream.substring(colon + 1).trim());
            Map<String, Object> stat = Files.readAttributes(fd, "unix:dev,ino");
            return ((Number) stat.get("dev")).longValue() == dev && ((Number) stat.get("ino")).longValue() == ino;
        } catch (Exception unreadableOrMalformed) {
            return false;
        }
    }

    public boolean enabled(Level wanted) {
        return wanted != Level.OFF && level != Level.OFF && wanted.priority <= level.priority;
    }

    public void error(String message) {
        log(Level.ERROR, message);
    }

    public void warn(String message) {
        log(Level.WARN, message);
    }

    public void info(String message) {
        log(Level.INFO, message);
    }

    public void debug(String message) {
        log(Level.DEBUG, message);
    }

    private void log(Level wanted, String message) {
        if (enabled(wanted)) {
            out.println(format(wanted, message));
        }
    }

    String format(Level wanted, String message) {
        String line = "sd-agent: " + OneLine.of(message);
        return journalPrefix ? "<" + wanted.priority + ">" + line : line;
    }
}
