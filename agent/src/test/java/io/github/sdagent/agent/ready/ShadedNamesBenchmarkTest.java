package io.github.sdagent.agent.ready;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Measures the per-class cost of recognising shaded presets, over the real class names of the JDK (about 30000):
 * prints nanoseconds per name. Not an assertion on time (a loaded machine would make it flaky); it asserts only
 * that no JDK class is taken for a preset copy.
 */
class ShadedNamesBenchmarkTest {

    @Test
    void costPerLoadedClassName() throws IOException {
        List<String> names = jdkClassNames();
        ShadedNames matcher = new ShadedNames(Presets.ALL);
        int hits = 0;
        for (int warm = 0; warm < 20; warm++) {
            hits = countHits(matcher, names);
        }
        int rounds = 50;
        long[] perRound = new long[rounds];
        for (int round = 0; round < rounds; round++) {
            long started = System.nanoTime();
            hits += countHits(matcher, names);
            perRound[round] = System.nanoTime() - started;
        }
        java.util.Arrays.sort(perRound);
        // the fastest round is the cost itself; the median shows what a loaded machine adds
        System.out.printf("ShadedNames: %.1f ns per class name (fastest round; median %.1f ns; %d JDK class names, %d rounds)%n",
                (double) perRound[0] / names.size(), (double) perRound[rounds / 2] / names.size(), names.size(), rounds);
        assertEquals(0, countHits(matcher, names), "no JDK class is a shaded preset");
    }

    private static int countHits(ShadedNames matcher, List<String> names) {
        int hits = 0;
        for (int i = 0; i < names.size(); i++) {
            if (matcher.match(names.get(i)) != null) {
                hits++;
            }
        }
        return hits;
    }

    private static List<String> jdkClassNames() throws IOException {
        List<String> names = new ArrayList<>();
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        try (Stream<Path> modules = Files.list(jrt.getPath("/modules"))) {
            for (Path module : (Iterable<Path>) modules::iterator) {
                try (Stream<Path> files = Files.walk(module)) {
                    files.filter(p -> p.toString().endsWith(".class") && !p.toString().endsWith("module-info.class"))
                            .forEach(p -> {
                                String path = module.relativize(p).toString();
                                names.add(path.substring(0, path.length() - ".class".length()));
                            });
                }
            }
        }
        Collections.shuffle(names, new java.util.Random(1));
        return names;
    }
}
