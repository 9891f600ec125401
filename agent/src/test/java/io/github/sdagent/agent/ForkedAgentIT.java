package io.github.sdagent.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Forked JVMs with {@code -javaagent:target/sd-agent.jar} talking to a notify socket of our own (the wire format and
 * the agent's behaviour; the real systemd is in {@link SystemdUnitIT}).
 */
class ForkedAgentIT {

    static final String APP = "io.github.sdagent.agent.testapp.TinyHttpApp";
    static final String LISTEN = APP + "#listen";
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String NAMED_MODULE_LINE =
            "sd-agent: internals in module io.github.sdagent.agent; native access enabled for the agent's module only";

    @TempDir
    Path dir;

    private static List<String> agent(String options, String... more) {
        List<String> args = new ArrayList<>();
        args.add("-javaagent:" + ForkedJvm.agentJar() + (options.isEmpty() ? "" : "=" + options));
        args.addAll(Arrays.asList(more));
        args.add("-cp");
        args.add(ForkedJvm.testClasspath());
        return args;
    }

    private Map<String, String> notifyEnv(NotifyReceiver receiver) {
        Map<String, String> env = new HashMap<>();
        env.put("NOTIFY_SOCKET", receiver.path().toString());
        return env;
    }

    @Test
    void readyAfterTheHookedMethodReturnsThenStoppingOnSigterm() throws Exception {
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK17, agent("ready=" + LISTEN + ",mainpid=off"), APP,
                     Collections.singletonList("serve"), notifyEnv(receiver))) {
            List<String> seen = new ArrayList<>();
            String ready = receiver.awaitContaining("READY=1", WAIT, seen);
            assertNotNull(ready, "no READY=1; got " + seen + "\n" + app.stderr());
            // the app prints once listen() has returned, which may be just after READY=1 left: wait for it
            app.awaitStdout("listening on port", WAIT);
            assertTrue(Pattern.compile("STATUS=Ready in \\d+\\.\\d\\d s \\(" + Pattern.quote(LISTEN) + "\\)").matcher(ready).find(), ready);
            assertTrue(seen.get(0).equals("STATUS=Starting (waiting for " + LISTEN + ")") || seen.get(0).startsWith("READY=1"), seen.toString());
            assertFalse(ready.contains("MAINPID="), "mainpid=off must not send MAINPID");

            app.signal("TERM");
            String stopping = receiver.awaitContaining("STOPPING=1", WAIT, seen);
            assertNotNull(stopping, "no STOPPING=1 after SIGTERM: " + seen);
            assertTrue(stopping.contains("STATUS=Stopping (SIGTERM)"), stopping);
            assertEquals(143, app.waitFor(WAIT), "the JVM's own SIGTERM exit status must be kept");
            assertTrue(app.stdout().contains("app shutdown hook ran"), "the application's shutdown hooks still run");
            long readies = seen.stream().filter(m -> m.contains("READY=1")).count();
            assertEquals(1, readies, "READY=1 exactly once: " + seen);
        }
    }

    /**
     * A hooked class that loads after the hooks were added (here the main class, which the start gate holds until
     * then) is woven as it loads and never retransformed on top by the hook thread's look at the classes loaded
     * before: that was a second weave and a safepoint in the middle of the application's start-up (issue 14). Read
     * from -Xlog:class+load, where a retransformed class appears a second time, from "__VM_RedefineClasses__".
     */
    @Test
    void aHookedClassLoadingAfterTheHooksIsWovenOnceNotRetransformed() throws Exception {
        for (String jdk : new String[] {ForkedJvm.JDK17, ForkedJvm.JDK25}) {
            Path classes = dir.resolve("classes-" + (jdk.equals(ForkedJvm.JDK17) ? "17" : "25") + ".log");
            try (NotifyReceiver receiver = new NotifyReceiver(dir);
                 ForkedJvm app = ForkedJvm.start(dir, jdk, agent("ready=" + LISTEN + ",mainpid=off",
                         "-Xlog:class+load=info:file=" + classes), APP, Collections.singletonList("serve"),
                         notifyEnv(receiver))) {
                List<String> seen = new ArrayList<>();
                assertNotNull(receiver.awaitContaining("READY=1", WAIT, seen), "no READY=1; got " + seen + "\n" + app.stderr());
                Thread.sleep(2_000); // the hook thread's look at the loaded classes is long over (milliseconds after the start)
                String loaded = new String(java.nio.file.Files.readAllBytes(classes), java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(loaded.contains(APP + " source: "), "the main class never loaded?\n" + app.stderr());
                assertFalse(loaded.contains(APP + " source: __VM_RedefineClasses__"),
                        "the hooked main class was woven as it loaded, then retransformed again (" + jdk + ")");
            }
        }
    }

    /**
     * Issue 14: what the agent adds to a JVM's start-up, read from -Xlog:class+load against the same application
     * without the agent. No annotation proxies: JNA's first Native.register read Structure.FFIType's @FieldOrder,
     * which parsed the annotation and generated two proxy classes (some 45 JDK classes); the build now gives such
     * Structures JNA's documented alternative, a getFieldOrder() override (agent/src/build/JnaIsolation.java). No NIO
     * file channels: the /proc reads and the copy of JNA's native library use java.io streams (some 25 classes).
     */
    @Test
    void theAgentsStartUpLoadsNoAnnotationProxiesAndNoFileChannels() throws Exception {
        for (String jdk : new String[] {ForkedJvm.JDK17, ForkedJvm.JDK25}) {
            String version = jdk.equals(ForkedJvm.JDK17) ? "17" : "25";
            Path without = dir.resolve("without-" + version + ".log");
            Path with = dir.resolve("with-" + version + ".log");
            try (ForkedJvm app = ForkedJvm.start(dir, jdk, Arrays.asList("-Xlog:class+load=info:file=" + without, "-cp",
                    ForkedJvm.testClasspath()), APP, Collections.singletonList("serve"), new HashMap<>())) {
                app.awaitStdout("listening on port", WAIT);
            }
            try (NotifyReceiver receiver = new NotifyReceiver(dir);
                 ForkedJvm app = ForkedJvm.start(dir, jdk, agent("ready=" + LISTEN, "-Xlog:class+load=info:file=" + with),
                         APP, Collections.singletonList("serve"), notifyEnv(receiver))) {
                List<String> seen = new ArrayList<>();
                assertNotNull(receiver.awaitContaining("READY=1", WAIT, seen), "no READY=1; got " + seen + "\n" + app.stderr());
                app.awaitStdout("listening on port", WAIT);
                Thread.sleep(1_000); // the agent thread's work after READY=1 (the watchdog's set-up) is over
            }
            java.util.Set<String> added = loadedClasses(with);
            added.removeAll(loadedClasses(without));
            assertTrue(added.contains("com.sun.jna.Native") && added.contains("com.sun.jna.Structure$FFIType"),
                    "the agent's JNA did not load? " + added);
            List<String> unwanted = new ArrayList<>();
            for (String name : added) {
                if (name.startsWith("jdk.proxy") || name.contains("$Proxy") || name.startsWith("sun.reflect.annotation.")
                        || name.startsWith("sun.reflect.generics.") || name.equals("sun.nio.ch.FileChannelImpl")) {
                    unwanted.add(name);
                }
            }
            assertEquals(Collections.emptyList(), unwanted, "JDK " + version + ": classes the agent's start-up added");
        }
    }

    private static java.util.Set<String> loadedClasses(Path classLoadLog) throws java.io.IOException {
        java.util.Set<String> names = new java.util.TreeSet<>();
        Matcher line = Pattern.compile("\\] (\\S+) source: ").matcher(
                new String(java.nio.file.Files.readAllBytes(classLoadLog), java.nio.charset.StandardCharsets.UTF_8));
        while (line.find()) {
            names.add(line.group(1));
        }
        return names;
    }

    @Test
    void hookThatThrowsReportsStartupFailedAndNoReady() throws Exception {
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK17, agent("ready=" + APP + "#failToListen"), APP,
                     Collections.singletonList("fail"), notifyEnv(receiver))) {
            List<String> seen = new ArrayList<>();
            String failed = receiver.awaitContaining("Startup failed", WAIT, seen);
            assertNotNull(failed, "no Startup failed status: " + seen + "\n" + app.stderr());
            assertEquals("STATUS=Startup failed: java.io.IOException: port 1 is taken STATUS=injected", failed,
                    "one line, no key injection");
            app.awaitStdout("app saw its own failure: port 1 is taken", WAIT);
            seen.addAll(receiver.drain(Duration.ofSeconds(1)));
            assertTrue(seen.stream().noneMatch(m -> m.contains("READY=1")), "no READY=1 after a failed hook: " + seen);
        }
    }

    @Test
    void systemExitSendsStopping() throws Exception {
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK17, agent("ready=start"), APP,
                     Collections.singletonList("exit"), notifyEnv(receiver))) {
            assertEquals(0, app.waitFor(WAIT));
            List<String> seen = receiver.drain(Duration.ofMillis(500));
            assertTrue(seen.stream().anyMatch(m -> m.startsWith("READY=1\nSTATUS=Ready in ") && m.contains("(ready=start)")), seen.toString());
            assertTrue(seen.stream().anyMatch(m -> m.equals("STOPPING=1\nSTATUS=Stopping (JVM shutdown)")), seen.toString());
        }
    }

    @Test
    void malformedOptionsLeaveTheApplicationRunningAndSayWhatIsWrong() throws Exception {
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK17, agent("ready=NoHashHere,watchdog=off"), APP,
                     Collections.singletonList("serve"), notifyEnv(receiver))) {
            List<String> seen = new ArrayList<>();
            String status = receiver.awaitContaining("STATUS=sd-agent configuration error: invalid option ready=NoHashHere", WAIT, seen);
            assertNotNull(status, seen + "\n" + app.stderr());
            app.awaitStdout("listening on port", WAIT);
            assertTrue(app.process.isAlive(), "the application keeps running");
            List<String> lines = Arrays.asList(app.stderr().trim().split("\n"));
            assertEquals(1, lines.size(), "exactly one line: " + lines);
            assertTrue(lines.get(0).startsWith("sd-agent: invalid option ready=NoHashHere (-javaagent options): "), lines.get(0));
            assertTrue(lines.get(0).contains("expected Class#method"), lines.get(0));
            seen.addAll(receiver.drain(Duration.ofMillis(500)));
            assertTrue(seen.stream().noneMatch(m -> m.contains("READY=1")), seen.toString());
        }
    }

    @Test
    void notUnderSystemdLoadsNothingButTheLauncher() throws Exception {
        try (ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK17, agent("ready=" + LISTEN, "-verbose:class"), APP,
                Collections.singletonList("exit"), new HashMap<>())) {
            assertEquals(0, app.waitFor(WAIT));
            String out = app.stdout();
            List<String> agentClasses = new ArrayList<>();
            Matcher loaded = Pattern.compile("\\[class,load\\] (\\S+) ").matcher(out);
            while (loaded.find()) {
                String name = loaded.group(1);
                if (name.startsWith("io.github.sdagent.") || name.startsWith("com.sun.jna.") || name.startsWith("net.bytebuddy.")) {
                    agentClasses.add(name);
                }
            }
            assertFalse(agentClasses.isEmpty(), "-verbose:class output not understood: " + out.substring(0, Math.min(500, out.length())));
            agentClasses.removeIf(name -> name.startsWith(APP));
            assertEquals(List.of("io.github.sdagent.agent.launcher.AgentLauncher",
                    "io.github.sdagent.agent.launcher.SystemdEnvironment"), agentClasses,
                    "not under systemd: the launcher and its environment check, nothing else (no StartGate either)");
            assertFalse(app.stderr().contains("sd-agent"), app.stderr());
        }
    }

    @Test
    void agentInternalsAreInvisibleToTheApplication() throws Exception {
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK17, agent("log-level=debug"), APP,
                     Collections.singletonList("probe"), notifyEnv(receiver))) {
            assertEquals(0, app.waitFor(WAIT), app.stderr());
            assertTrue(app.stderr().contains(NAMED_MODULE_LINE), "the module layer on JDK 17: " + app.stderr());
            assertTrue(app.stderr().contains("sd-agent: JNA native library: " + Path.of(System.getProperty("java.io.tmpdir"),
                    "sd-agent-native-")), "JNA loads the library the agent's loader extracted: " + app.stderr());
            String out = app.stdout();
            for (String name : new String[] {"io.github.sdagent.agent.AgentMain", "net.bytebuddy.ByteBuddy",
                    "com.sun.jna.Native", "io.github.sdagent.core.Daemon"}) {
                assertTrue(out.contains("invisible " + name), out);
            }
        }
    }

    @Test
    void aSecondAgentInstanceStaysInactive() throws Exception {
        List<String> twice = agent("ready=" + LISTEN);
        twice.add(0, "-javaagent:" + ForkedJvm.agentJar() + "=ready=" + LISTEN);
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK17, twice, APP, Collections.singletonList("serve"), notifyEnv(receiver))) {
            List<String> seen = new ArrayList<>();
            assertNotNull(receiver.awaitContaining("READY=1", WAIT, seen), app.stderr());
            seen.addAll(receiver.drain(Duration.ofSeconds(1)));
            assertEquals(1, seen.stream().filter(m -> m.contains("READY=1")).count(), seen.toString());
            assertTrue(app.stderr().contains("sd-agent: another sd-agent is already active in this JVM; this one stays inactive"), app.stderr());
        }
    }

    @Test
    void childJvmsInheritingTheAgentStaySilent() throws Exception {
        Map<String, String> env;
        try (NotifyReceiver receiver = new NotifyReceiver(dir)) {
            env = notifyEnv(receiver);
            env.put("JAVA_TOOL_OPTIONS", "-javaagent:" + ForkedJvm.agentJar() + "=ready=" + LISTEN + ",mainpid=on");
            try (ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK17, Arrays.asList("-cp", ForkedJvm.testClasspath()),
                    APP, Collections.singletonList("spawn"), env)) {
                app.awaitStdout("app done", WAIT);
                String out = app.stdout();
                assertTrue(out.contains("child NOTIFY_SOCKET=null JAVA_TOOL_OPTIONS=-javaagent:"), out);
                List<String> seen = receiver.drain(Duration.ofSeconds(1));
                String mainPid = "MAINPID=" + app.process.pid();
                assertTrue(seen.stream().anyMatch(m -> m.startsWith("READY=1") && m.contains(mainPid)), seen + "\n" + app.stderr());
                for (String message : seen) {
                    assertTrue(!message.contains("MAINPID=") || message.contains(mainPid), "a child spoke: " + message);
                }
                assertEquals(1, seen.stream().filter(m -> m.contains("READY=1")).count(), seen.toString());
            }
        }
    }

    @Test
    void applicationKeepsItsOwnJnaVersion() throws Exception {
        String appJna = System.getProperty("sdagent.test.jna.old.jar");
        assertNotNull(appJna, "sdagent.test.jna.old.jar not set by the pom");
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK17,
                     Arrays.asList("-javaagent:" + ForkedJvm.agentJar() + "=ready=start", // READY at once, as before auto
                             "-cp", ForkedJvm.testClasspath() + ":" + appJna),
                     APP, Arrays.asList("jna", dir.resolve("go").toString()), notifyEnv(receiver))) {
            // the agent's JNA first (READY=1 went out through it), then the application's older one
            assertNotNull(receiver.awaitContaining("READY=1", WAIT, new ArrayList<>()), app.stderr());
            java.nio.file.Files.createFile(dir.resolve("go"));
            app.awaitStdout("app done", WAIT);
            assertTrue(app.stdout().contains("app jna 5.14.0 "), app.stdout());
            assertTrue(app.stdout().contains(" loader jdk.internal.loader.ClassLoaders$AppClassLoader"), app.stdout());
        }
    }

    @Test
    void jnaInAChildLoaderDoesNotFindTheAgentsNatives() throws Exception {
        // Spring Boot's loader asks the application loader first, which sees the agent jar: no JNA resource of
        // ours may be found there, with or without NOTIFY_SOCKET.
        String appJna = System.getProperty("sdagent.test.jna.old.jar");
        for (boolean underSystemd : new boolean[] {false, true}) {
            Path sub = java.nio.file.Files.createDirectories(dir.resolve("systemd-" + underSystemd));
            try (NotifyReceiver receiver = new NotifyReceiver(sub);
                 ForkedJvm app = ForkedJvm.start(sub, ForkedJvm.JDK17, agent(""), APP,
                         Arrays.asList("jna-child-loader", appJna), underSystemd ? notifyEnv(receiver) : new HashMap<>())) {
                assertEquals(0, app.waitFor(WAIT), app.stderr());
                assertTrue(app.stdout().contains("app jna 5.14.0 "), app.stdout());
            }
        }
    }

    @Test
    void jdk25NativeAccessForTheAgentOnlyWithoutWarnings() throws Exception {
        String appJna = System.getProperty("sdagent.test.jna.old.jar");
        String cp = ForkedJvm.testClasspath() + ":" + appJna;
        // 1. deny: the agent still works (its module has native access), and prints no warning
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK25, Arrays.asList("--illegal-native-access=deny",
                     "-javaagent:" + ForkedJvm.agentJar() + "=log-level=debug,ready=" + LISTEN, "-cp", cp), APP,
                     Collections.singletonList("serve"), notifyEnv(receiver))) {
            assertNotNull(receiver.awaitContaining("READY=1", WAIT, new ArrayList<>()), app.stderr());
            app.signal("TERM");
            assertEquals(143, app.waitFor(WAIT), app.stderr());
            assertTrue(app.stderr().contains(NAMED_MODULE_LINE), app.stderr());
            assertFalse(app.stderr().contains("WARNING"), app.stderr());
        }
        // 2. the application's own JNA (unnamed module) keeps the JDK's normal treatment: a warning by default...
        Path warnDir = java.nio.file.Files.createDirectories(dir.resolve("warn"));
        try (NotifyReceiver receiver = new NotifyReceiver(warnDir);
             ForkedJvm app = ForkedJvm.start(warnDir, ForkedJvm.JDK25, Arrays.asList(
                     "-javaagent:" + ForkedJvm.agentJar(), "-cp", cp), APP,
                     Collections.singletonList("jna"), notifyEnv(receiver))) {
            assertEquals(0, app.waitFor(WAIT), app.stderr());
            assertTrue(app.stderr().contains("WARNING: java.lang.System::load has been called by com.sun.jna.Native in an unnamed module"), app.stderr());
            assertFalse(app.stderr().contains("sd-agent.jar)"), "no warning may name the agent: " + app.stderr());
        }
        // 3. ...and denial under deny
        Path denyDir = java.nio.file.Files.createDirectories(dir.resolve("deny"));
        try (NotifyReceiver receiver = new NotifyReceiver(denyDir);
             ForkedJvm app = ForkedJvm.start(denyDir, ForkedJvm.JDK25, Arrays.asList("--illegal-native-access=deny",
                     "-javaagent:" + ForkedJvm.agentJar(), "-cp", cp), APP,
                     Collections.singletonList("jna"), notifyEnv(receiver))) {
            assertEquals(1, app.waitFor(WAIT));
            assertTrue(app.stderr().contains("IllegalCallerException: Illegal native access from an unnamed module"), app.stderr());
        }
    }

    @Test
    void optionsSurviveTheShellUnquoted() throws Exception {
        // JAVA_TOOL_OPTIONS as a vendor script would pass it: several hooks, parameter types, no quoting
        String options = "ready=" + LISTEN + ":int+" + APP + "#main(java.lang.String[]),ready-when=any,watchdog-interval=500ms,log-level=debug";
        try (NotifyReceiver receiver = new NotifyReceiver(dir)) {
            Map<String, String> env = notifyEnv(receiver);
            env.put("JAVA_TOOL_OPTIONS", "-javaagent:" + ForkedJvm.agentJar() + "=" + options.replace("(java.lang.String[])", ":java.lang.String[]") + " -Dfoo=bar");
            try (ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK17, Arrays.asList("-cp", ForkedJvm.testClasspath()), APP,
                    Collections.singletonList("serve"), env)) {
                assertNotNull(receiver.awaitContaining("READY=1", WAIT, new ArrayList<>()), app.stderr());
                assertTrue(app.stderr().contains("sd-agent: configuration: ready=" + LISTEN + "(int)+" + APP
                        + "#main(java.lang.String[]),ready-when=any,watchdog=on,watchdog-interval=500ms"), app.stderr());
            }
        }
    }

    @Test
    void jdkJavaOptionsCarriesTheAgentToo() throws Exception {
        try (NotifyReceiver receiver = new NotifyReceiver(dir)) {
            Map<String, String> env = notifyEnv(receiver);
            env.put("JDK_JAVA_OPTIONS", "-javaagent:" + ForkedJvm.agentJar() + "=ready=" + LISTEN + ":int,mainpid=off");
            try (ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK25, Arrays.asList("-cp", ForkedJvm.testClasspath()), APP,
                    Collections.singletonList("serve"), env)) {
                String ready = receiver.awaitContaining("READY=1", WAIT, new ArrayList<>());
                assertEquals("READY=1\nSTATUS=Ready in " + ready.substring(ready.indexOf(" in ") + 4, ready.indexOf(" s ")) + " s ("
                        + LISTEN + "(int))", ready);
                assertTrue(app.stderr().contains("NOTE: Picked up JDK_JAVA_OPTIONS"), app.stderr());
            }
        }
    }
}
