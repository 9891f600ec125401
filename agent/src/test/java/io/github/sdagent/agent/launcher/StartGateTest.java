package io.github.sdagent.agent.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StartGateTest {

    private static final byte[] ANY_CLASS = {};

    @Test
    void hookClassNamesComeFromEverySourceTheConfigurationReads(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("sd-agent.properties");
        Files.writeString(config, "# a comment with no class\nready=org.example.FromFile#start:\n");
        Properties system = new Properties();
        system.setProperty("sdagent.ready", "org.example.FromProperty#run(java.lang.String[])");
        Set<String> names = StartGate.hookClasses(
                "ready=org.eclipse.jetty.server.Server#start+org.example.Outer$Inner#m:int,config=" + config, system);
        assertEquals(Set.of("org/eclipse/jetty/server/Server", "org/example/Outer$Inner", "org/example/FromFile",
                "org/example/FromProperty"), names);
        Properties viaProperty = new Properties();
        viaProperty.setProperty("sdagent.config", config.toString());
        assertEquals(Set.of("org/example/FromFile"), StartGate.hookClasses(null, viaProperty));
        // no ready= anywhere: ready=auto, so the presets' classes are held
        assertEquals(Set.of(StartGate.PRESET_CLASSES), StartGate.hookClasses("config=" + dir.resolve("missing"), new Properties()));
        assertEquals(Set.of(StartGate.PRESET_CLASSES), StartGate.hookClasses(null, new Properties()));
        Set<String> withAuto = StartGate.hookClasses("ready=auto+a.B#c", new Properties());
        assertTrue(withAuto.contains("a/B") && withAuto.containsAll(Set.of(StartGate.PRESET_CLASSES)), withAuto.toString());
        assertEquals(Set.of(), StartGate.hookClasses("ready=start", new Properties()));
        assertEquals(Set.of("a/B"), StartGate.hookClasses("ready=a.B#c,mainpid=auto", new Properties()));
        Path onlyReadyWhen = dir.resolve("ready-when.properties");
        Files.writeString(onlyReadyWhen, "ready-when=any\n");
        assertEquals(Set.of(StartGate.PRESET_CLASSES), StartGate.hookClasses("config=" + onlyReadyWhen, new Properties()),
                "ready-when= alone leaves auto in force");
        Properties autoByProperty = new Properties();
        autoByProperty.setProperty("sdagent.ready", "auto");
        assertTrue(StartGate.hookClasses("mainpid=on", autoByProperty).containsAll(Set.of(StartGate.PRESET_CLASSES)));
        Properties reload = new Properties();
        reload.setProperty("sdagent.reload", "org.example.Config#reload");
        assertEquals(Set.of("org/example/Config", "org/example/Server"),
                StartGate.hookClasses("ready=org.example.Server#start", reload), "reload=: its instances are tracked");
    }

    @Test
    void theBindClassesWaitWhenReadinessWatchesListeners(@TempDir Path dir) throws Exception {
        Properties none = new Properties();
        assertTrue(StartGate.observesListeners(StartGate.hookClasses(null, none), null, none), "auto by default");
        assertTrue(StartGate.observesListeners(StartGate.hookClasses("ready=a.B#c+listen:8080", none),
                "ready=a.B#c+listen:8080", none));
        Path file = dir.resolve("sd-agent.properties");
        Files.writeString(file, "ready=listen:127.0.0.1:8080\n");
        assertTrue(StartGate.observesListeners(StartGate.hookClasses("config=" + file, none), "config=" + file, none));
        assertFalse(StartGate.observesListeners(StartGate.hookClasses("ready=start", none), "ready=start", none));
        assertFalse(StartGate.observesListeners(StartGate.hookClasses("ready=a.B#c", none), "ready=a.B#c", none));
    }

    /** Log4j 2's ConsoleAppender keeps the stream it found: with log: it waits for LogWatch. */
    @Test
    void theConsoleAppendersWaitWhenReadyWatchesTheLog(@TempDir Path dir) throws Exception {
        Properties none = new Properties();
        String log4j = "org/apache/logging/log4j/core/appender/ConsoleAppender";
        assertTrue(StartGate.hookClasses("ready=log:Started .* in [0-9]+ s", none).contains(log4j));
        assertTrue(StartGate.hookClasses("ready=auto+log:x", none).contains(log4j));
        assertFalse(StartGate.hookClasses("ready=log:x", none).contains("java/util/logging/ConsoleHandler"),
                "JUL's handler is built under LogManager's locks: never held");
        Properties property = new Properties();
        property.setProperty("sdagent.ready", "log:listening on host, port \\d+");
        assertTrue(StartGate.hookClasses(null, property).contains(log4j));
        Path file = dir.resolve("sd-agent.properties");
        Files.writeString(file, "ready=log:Listening on host, port \\\\d+\n");
        assertTrue(StartGate.hookClasses("config=" + file, none).contains(log4j));
        assertFalse(StartGate.hookClasses(null, none).contains(log4j), "auto alone holds no appender");
        assertFalse(StartGate.hookClasses("ready=a.B#c", none).contains(log4j));
    }

    @Test
    void holdsHookedClassesAndProcessBuilderUntilOpenThenHandsThemToTheDelegates() throws Exception {
        StartGate gate = new StartGate(Set.of("org/example/Hooked"));
        List<String> seen = new ArrayList<>();
        gate.accept(recording(seen, new byte[] {42}));
        CompletableFuture<byte[]> hooked = transformAsync(gate, "org/example/Hooked");
        CompletableFuture<byte[]> processBuilder = transformAsync(gate, StartGate.PROCESS_BUILDER);
        assertArrayEquals(new byte[] {42}, gate.transform(null, "org/example/Other", null, null, ANY_CLASS),
                "other classes go to the delegates at once");
        Thread.sleep(200);
        assertFalse(hooked.isDone(), "the hooked class must wait for the agent's start-up");
        assertFalse(processBuilder.isDone(), "ProcessBuilder must wait too");
        gate.open();
        assertArrayEquals(new byte[] {42}, hooked.get(5, TimeUnit.SECONDS));
        assertArrayEquals(new byte[] {42}, processBuilder.get(5, TimeUnit.SECONDS));
        assertTrue(seen.containsAll(List.of("org/example/Other", "org/example/Hooked", StartGate.PROCESS_BUILDER)));
    }

    @Test
    void withPassedSocketsHoldsTheJdkBindClassesToo() throws Exception {
        StartGate gate = new StartGate(Set.of(), true);
        List<CompletableFuture<byte[]>> held = new ArrayList<>();
        for (String bindClass : StartGate.BIND_CLASSES) {
            held.add(transformAsync(gate, bindClass));
        }
        Thread.sleep(200);
        for (CompletableFuture<byte[]> each : held) {
            assertFalse(each.isDone(), "a class that binds must wait for socket activation to be in place");
        }
        gate.open();
        for (CompletableFuture<byte[]> each : held) {
            assertNull(each.get(5, TimeUnit.SECONDS));
        }
        StartGate withoutSockets = new StartGate(Set.of(), false);
        // without passed sockets nothing of it waits (a held class would time out here)
        assertNull(transformAsync(withoutSockets, StartGate.BIND_CLASSES[0]).get(2, TimeUnit.SECONDS));
    }

    @Test
    void holdsImplementorsOfAHookedInterface() throws Exception {
        byte[] thread;
        try (InputStream in = Object.class.getResourceAsStream("/java/lang/Thread.class")) {
            thread = in.readAllBytes();
        }
        StartGate gate = new StartGate(Set.of("java/lang/Runnable"));
        CompletableFuture<byte[]> implementor = CompletableFuture.supplyAsync(() -> transform(gate, "java/lang/Thread", thread));
        Thread.sleep(200);
        assertFalse(implementor.isDone(), "a class listing the hooked interface must wait");
        gate.open();
        assertNull(implementor.get(5, TimeUnit.SECONDS), "no delegate: unchanged");
    }

    @Test
    void neverHoldsTheStartThreadNorRetransformations() throws Exception {
        StartGate gate = new StartGate(Set.of("org/example/Hooked"));
        gate.startedOn(Thread.currentThread());
        assertNull(gate.transform(null, "org/example/Hooked", null, null, ANY_CLASS));
        StartGate other = new StartGate(Set.of("org/example/Hooked"));
        assertNull(other.transform(null, "org/example/Hooked", StartGateTest.class, null, ANY_CLASS));
    }

    @Test
    void chainsDelegatesLikeTheJvmDoes() throws Exception {
        StartGate gate = new StartGate(Set.of());
        gate.open();
        List<String> seen = new ArrayList<>();
        gate.accept(recording(seen, null));
        gate.accept(mapping(bytes -> new byte[] {(byte) (bytes.length + 1)}));
        gate.accept(mapping(bytes -> new byte[] {(byte) (bytes[0] * 10)}));
        assertArrayEquals(new byte[] {10}, gate.transform(null, "a/B", null, null, ANY_CLASS));
        assertEquals(List.of("a/B"), seen);
    }

    private static ClassFileTransformer recording(List<String> seen, byte[] result) {
        return new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
                                    byte[] bytes) {
                synchronized (seen) {
                    seen.add(name);
                }
                return result;
            }
        };
    }

    private static ClassFileTransformer mapping(UnaryOperator<byte[]> change) {
        return new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
                                    byte[] bytes) {
                return change.apply(bytes);
            }
        };
    }

    private static CompletableFuture<byte[]> transformAsync(StartGate gate, String name) {
        return CompletableFuture.supplyAsync(() -> transform(gate, name, ANY_CLASS));
    }

    private static byte[] transform(StartGate gate, String name, byte[] bytes) {
        try {
            return gate.transform(null, name, null, null, bytes);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Issue 16, finding 5: a start-up thread that cannot start (a task limit) must not leave classes held 30 s. */
    @Test
    void aStartThreadThatCannotStartOpensTheGateAndLeaves() throws Exception {
        StartGate gate = new StartGate(Set.of("org/example/Hooked"));
        List<Object> removed = new ArrayList<>();
        java.lang.instrument.Instrumentation inst = (java.lang.instrument.Instrumentation) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {java.lang.instrument.Instrumentation.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("removeTransformer")) {
                        removed.add(args[0]);
                        return true;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        Thread refused = new Thread("sd-agent-start") {
            @Override
            public synchronized void start() {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
            }
        };
        gate.startedOn(refused);
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(said, true));
        boolean started;
        try {
            started = StartGate.startOrStandAside(gate, refused, inst);
        } finally {
            System.setErr(err);
        }
        assertFalse(started);
        assertEquals(List.of(gate), removed, "the gate leaves the JVM's transformers");
        assertNull(transformAsync(gate, "org/example/Hooked").get(1, TimeUnit.SECONDS), "nothing waits for a thread that never ran");
        assertEquals("sd-agent: cannot start a thread of its own (java.lang.OutOfMemoryError: unable to create native thread: "
                + "possibly out of memory or process/resource limits reached); a task limit such as TasksMax= or LimitNPROC= is "
                + "reached. The agent is inactive and the application runs without it" + System.lineSeparator(), said.toString());
    }

    @Test
    void onlyTheJdksOwnApplicationLoadersLetTheStartUpRunBesideTheApplication() {
        assertTrue(StartGate.startsBesideTheApplication(ClassLoader.getSystemClassLoader()));
        assertFalse(StartGate.startsBesideTheApplication(new ClassLoader(null) { }), "unknown: may not be parallel-capable");
        assertFalse(StartGate.startsBesideTheApplication(null));
    }
}
