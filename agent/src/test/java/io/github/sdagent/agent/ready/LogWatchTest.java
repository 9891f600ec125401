package io.github.sdagent.agent.ready;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** ready=log: passes every byte on, in order and at once, and matches whole lines, once. */
class LogWatchTest {

    @Test
    void outputIsUnchangedAndTheFirstMatchingLineCountsOnce() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream original = new PrintStream(sink, true, "UTF-8");
        List<String> matched = new ArrayList<>();
        PrintStream watched = LogWatch.wrap(original, "stdout", Pattern.compile("Started .* in [0-9.]+ s"),
                new LogWatch.Matched() {
                    @Override
                    public void matched(String line) {
                        matched.add(line);
                    }
                });
        watched.print("Start");
        assertEquals("Start", sink.toString("UTF-8"), "a partial line is not held back");
        watched.println("ing ünïcode");
        watched.printf("Started %s in %.1f s%n", "App", 3.1);
        watched.write('x');
        watched.println();
        watched.println("Started Again in 1.0 s");
        assertEquals("Starting ünïcode\nStarted App in 3.1 s\nx\nStarted Again in 1.0 s\n"
                .replace("\n", System.lineSeparator()), sink.toString("UTF-8"));
        assertEquals(List.of("Started App in 3.1 s"), matched);
    }

    @Test
    void julConsoleHandlerSetUpAfterTheWatchIsSeen() throws Exception {
        PrintStream realErr = System.err;
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        List<String> matched = new ArrayList<>();
        try {
            System.setErr(LogWatch.wrap(new PrintStream(sink, true, "UTF-8"), "stderr", Pattern.compile("Server started"),
                    new LogWatch.Matched() {
                        @Override
                        public void matched(String line) {
                            matched.add(line);
                        }
                    }));
            ConsoleHandler handler = new ConsoleHandler();
            handler.setFormatter(new SimpleFormatter());
            handler.publish(new LogRecord(Level.INFO, "Server started on 8080"));
            handler.flush();
        } finally {
            System.setErr(realErr);
        }
        assertEquals(1, matched.size(), sink.toString(StandardCharsets.UTF_8));
        assertEquals("INFO: Server started on 8080", matched.get(0));
    }
}
