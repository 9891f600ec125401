package io.github.sdagent.bench.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;

/**
 * Answers every line on stdin with its own {@link System#nanoTime()}: the harness brackets each answer
 * with its own nanoTime to show that two JVMs on one machine read the same clock.
 */
public final class ClockProbe {
    private ClockProbe() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        PrintStream out = new PrintStream(System.out, true);
        while (in.readLine() != null) {
            out.println(System.nanoTime());
        }
    }
}
