package io.github.sdagent.agent.activation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
 * What the bind interception's transformer costs a class it leaves alone (every class, once the interception is
 * installed: with LISTEN_FDS, fdstore=on, listen: or ready=auto): one hash lookup for a bootstrap class, one
 * {@code endsWith} for Netty's socket name. Prints nanoseconds per class over the JDK's ~30000 class names, as if each
 * were loaded by the bootstrap loader and by an application loader. Not an assertion on time (a loaded machine would
 * make it flaky); it asserts only that none of those names is taken for a target.
 */
class BindWeaverCostTest {

    @Test
    void costPerLoadedClass() throws IOException {
        List<String> names = jdkClassNames();
        List<String> problems = new ArrayList<>();
        BindWeaver weaver = new BindWeaver(problems::add, null);
        ClassLoader application = BindWeaverCostTest.class.getClassLoader();
        byte[] notAClass = new byte[0];
        long[] bootstrap = new long[50];
        long[] app = new long[50];
        for (int round = -20; round < bootstrap.length; round++) {
            long started = System.nanoTime();
            for (int i = 0; i < names.size(); i++) {
                assertNull(weaver.transform(null, names.get(i), null, null, notAClass));
            }
            long middle = System.nanoTime();
            for (int i = 0; i < names.size(); i++) {
                assertNull(weaver.transform(application, names.get(i), null, null, notAClass));
            }
            if (round >= 0) {
                bootstrap[round] = middle - started;
                app[round] = System.nanoTime() - middle;
            }
        }
        java.util.Arrays.sort(bootstrap);
        java.util.Arrays.sort(app);
        System.out.printf("BindWeaver: %.1f ns per bootstrap class, %.1f ns per application class (fastest round;"
                + " medians %.1f / %.1f ns; %d JDK class names)%n", (double) bootstrap[0] / names.size(),
                (double) app[0] / names.size(), (double) bootstrap[bootstrap.length / 2] / names.size(),
                (double) app[app.length / 2] / names.size(), names.size());
        assertEquals(List.of(), problems);
    }

    /** The JDK's class names, without the interception's own targets. */
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
        for (BindWeaver.Target target : BindWeaver.TARGETS) {
            names.remove(target.className);
        }
        Collections.shuffle(names, new java.util.Random(1));
        return names;
    }
}
