package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.lifecycle.HookListener;
import io.github.sdagent.agent.hooks.HookSpec;
import io.github.sdagent.agent.lifecycle.ReadyHooks;
import io.github.sdagent.agent.Transformers;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * In-process test harness: Byte Buddy's self-attach, the bridge package appended to the bootstrap class path as
 * the real agent does it (so advice in JDK classes can reach it), and fresh class loaders for fixtures.
 */
final class HookTestSupport {

    static final String FIXTURES = "io.github.sdagent.agent.hooks.fixture.";
    private static final String BRIDGE = "io/github/sdagent/agent/bridge/";
    private static Instrumentation inst;

    private HookTestSupport() {
    }

    /** Must run before anything loads a bridge class (each test class calls it in @BeforeAll). */
    static synchronized Instrumentation instrumentation() throws IOException {
        if (inst == null) {
            Instrumentation attached = ByteBuddyAgent.install();
            attached.appendToBootstrapClassLoaderSearch(new JarFile(bridgeJar().toFile()));
            inst = attached;
        }
        return inst;
    }

    private static Path bridgeJar() throws IOException {
        Path classes = classPath().stream()
                .filter(dir -> Files.isDirectory(dir.resolve(BRIDGE)))
                .findFirst().orElseThrow(() -> new IllegalStateException("no " + BRIDGE + " on the class path"));
        Path jar = Files.createTempFile("sd-agent-test-bridge", ".jar");
        jar.toFile().deleteOnExit();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes.resolve(BRIDGE))) { // sub-packages too (bridge/listen)
            for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace(java.io.File.separatorChar, '/')));
                out.write(Files.readAllBytes(file));
                out.closeEntry();
            }
        }
        return jar;
    }

    static List<Path> classPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(Paths::get).collect(Collectors.toList());
    }

    /** A new class loader with its own copy of every fixture class (each copy is its own hook target). */
    static ClassLoader fixtureLoader() {
        Path testClasses = classPath().stream()
                .filter(dir -> Files.isDirectory(dir.resolve(FIXTURES.replace('.', '/'))))
                .findFirst().orElseThrow(IllegalStateException::new);
        URL[] urls;
        try {
            urls = new URL[] {testClasses.toUri().toURL()};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new URLClassLoader(urls, HookTestSupport.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (!name.startsWith(FIXTURES)) {
                    return super.loadClass(name, resolve);
                }
                synchronized (getClassLoadingLock(name)) {
                    Class<?> loaded = findLoadedClass(name);
                    return loaded != null ? loaded : findClass(name);
                }
            }
        };
    }

    /** Runs fixture {@code simpleName} (a Runnable) from {@code loader}. */
    static void run(ClassLoader loader, String simpleName) throws Exception {
        ((Runnable) loader.loadClass(FIXTURES + simpleName).getConstructor().newInstance()).run();
    }

    /** Installs hooks; a leading {@code ~} stands for the fixture package. */
    static Recorder install(long graceMillis, String... specs) throws IOException {
        Instrumentation instrumentation = instrumentation();
        List<HookSpec> parsed = new ArrayList<>();
        for (String spec : specs) {
            parsed.add(HookSpec.parse(spec.startsWith("~") ? FIXTURES + spec.substring(1) : spec));
        }
        Recorder recorder = new Recorder();
        Recorder.current = recorder;
        ReadyHooks.install(instrumentation, Transformers.direct(instrumentation), parsed, recorder, graceMillis);
        return recorder;
    }

    /**
     * Writes hook events into {@link HookTrace}, in order with what the fixtures log. Hooks of earlier tests stay
     * installed (the JVM has one engine) and may see later tests' fixture copies: only the latest recorder logs.
     */
    static final class Recorder implements HookListener {
        static volatile Recorder current;
        final List<String> problems = new ArrayList<>();
        final List<Throwable> failures = new ArrayList<>();

        @Override
        public void hookReturned(HookSpec spec) {
            log("READY " + shortName(spec));
        }

        @Override
        public void hookFailed(HookSpec spec, Throwable failure) {
            synchronized (this) {
                failures.add(failure);
            }
            log("FAILED " + shortName(spec) + ": " + failure);
        }

        @Override
        public void problem(String oneLineMessage) {
            synchronized (this) {
                problems.add(oneLineMessage);
                notifyAll();
            }
            log("PROBLEM " + oneLineMessage);
        }

        synchronized List<String> awaitProblems(int count, long timeoutMillis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (problems.size() < count && System.currentTimeMillis() < deadline) {
                wait(Math.max(1, deadline - System.currentTimeMillis()));
            }
            return new ArrayList<>(problems);
        }

        private void log(String event) {
            if (current == this) {
                HookTrace.log(event);
            }
        }

        private static String shortName(HookSpec spec) {
            return spec.toString().replace(FIXTURES, "");
        }
    }
}
