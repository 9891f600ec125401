package io.github.sdagent.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Statistics;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;

/**
 * Runs {@link NotifyBenchmark} with JMH. {@link BenchMain} starts this in a child JVM whose environment
 * has NOTIFY_SOCKET (JMH forks inherit it). Writes one line per benchmark to the file in args[0]:
 * {@code name median min max n unit}, the statistics over the measurement iterations.
 */
public final class JmhMain {
    private JmhMain() {
    }

    public static void main(String[] args) throws Exception {
        Options options = new OptionsBuilder()
                .include(NotifyBenchmark.class.getName() + "\\.")
                .shouldFailOnError(false)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[0])))) {
            for (RunResult result : results) {
                Statistics statistics = result.getPrimaryResult().getStatistics();
                String label = result.getParams().getBenchmark();
                out.printf(Locale.ROOT, "%s %.3f %.3f %.3f %d %s%n", label.substring(label.lastIndexOf('.') + 1),
                        statistics.getPercentile(50), statistics.getMin(), statistics.getMax(), statistics.getN(),
                        result.getPrimaryResult().getScoreUnit());
            }
        }
    }
}
