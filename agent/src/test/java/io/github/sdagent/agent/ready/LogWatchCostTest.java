package io.github.sdagent.agent.ready;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The cost per line of ready=log: while it still waits (every line decoded and matched), against the same
 * PrintStream without the watch; prints both in nanoseconds per println. Not an assertion on time (a loaded machine
 * would make it flaky); it asserts only that the watch saw no match among lines that do not match.
 */
class LogWatchCostTest {

    private static final OutputStream NOWHERE = new OutputStream() {
        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    };

    @Test
    void costPerLineWhileWaiting() throws Exception {
        String line = "2026-11-30 21:00:00.123  INFO 4242 --- [main] o.s.b.w.e.tomcat.TomcatWebServer : Tomcat initialized";
        int[] matches = {0};
        PrintStream plain = new PrintStream(NOWHERE, true, "UTF-8");
        PrintStream watched = LogWatch.wrap(new PrintStream(NOWHERE, true, "UTF-8"), "stdout",
                Pattern.compile("Started \\w+ in [0-9.]+ seconds"), new LogWatch.Matched() {
                    @Override
                    public void matched(String text) {
                        matches[0]++;
                    }
                });
        double plainNanos = fastestPerLine(plain, line);
        double watchedNanos = fastestPerLine(watched, line);
        System.out.printf("LogWatch: %.0f ns per println watched, %.0f ns unwatched (+%.0f ns per line; fastest of 30 rounds)%n",
                watchedNanos, plainNanos, watchedNanos - plainNanos);
        assertEquals(0, matches[0]);
    }

    private static double fastestPerLine(PrintStream stream, String line) {
        int lines = 20_000;
        long[] rounds = new long[30];
        for (int warm = 0; warm < 10; warm++) {
            for (int i = 0; i < lines; i++) {
                stream.println(line);
            }
        }
        for (int round = 0; round < rounds.length; round++) {
            long started = System.nanoTime();
            for (int i = 0; i < lines; i++) {
                stream.println(line);
            }
            rounds[round] = System.nanoTime() - started;
        }
        Arrays.sort(rounds);
        return (double) rounds[0] / lines;
    }
}
