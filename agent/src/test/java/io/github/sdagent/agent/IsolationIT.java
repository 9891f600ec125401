package io.github.sdagent.agent;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "What the agent never changes" (README): forked JVMs with the built agent jar under a notify socket of our own,
 * each showing that the application behaves as it would without the agent. Each test failed before the fix it
 * names (issue 16), on JDK 17 and 25.
 */
class IsolationIT {

    static final String APP = "io.github.sdagent.agent.testapp.IsolationProbeApp";
    static final String STARTED = APP + "#started";
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static String jdk(int version) {
        return version == 17 ? ForkedJvm.JDK17 : ForkedJvm.JDK25;
    }

    private static Map<String, String> notifyEnv(NotifyReceiver receiver) {
        Map<String, String> env = new HashMap<>();
        env.put("NOTIFY_SOCKET", receiver.path().toString());
        return env;
    }

    private List<String> jvm(String options, String classpath, String... more) {
        List<String> args = new ArrayList<>(Arrays.asList(more));
        args.add("-javaagent:" + ForkedJvm.agentJar() + "=" + options);
        args.add("-cp");
        args.add(classpath);
        return args;
    }

    /** Runs the probe app in {@code mode}: awaits READY=1, lets the app go on, and returns its output once done. */
    private String probe(int version, String mode, String classpath, List<String> jvmArgs, String... moreArgs) throws Exception {
        Path go = dir.resolve("go");
        List<String> args = new ArrayList<>(Arrays.asList(mode, go.toString()));
        args.addAll(Arrays.asList(moreArgs));
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, jdk(version), jvmArgs, APP, args, notifyEnv(receiver))) {
            List<String> seen = new ArrayList<>();
            assertNotNull(receiver.awaitContaining("READY=1", WAIT, seen), "no READY=1: " + seen + "\n" + app.stderr());
            Files.createFile(go); // the agent is fully up (its JNA loaded, READY sent): now the application acts
            assertEquals(0, app.waitFor(WAIT), app.stdout() + app.stderr());
            assertTrue(app.stdout().contains("done"), app.stdout() + app.stderr());
            return app.stdout() + app.stderr();
        }
    }

    /** Finding 1: JNA's Native created a Logger, which fixed the JVM's LogManager before the application chose one. */
    @ParameterizedTest
    @ValueSource(ints = {17, 25})
    void theApplicationChoosesItsLoggingManagerLate(int version) throws Exception {
        String output = probe(version, "jul-late", ForkedJvm.testClasspath(), jvm("ready=" + STARTED, ForkedJvm.testClasspath()));
        assertTrue(output.contains("log manager: " + APP + "$ProbeLogManager"), output);
    }

    /** Finding 1: a manager class that only the application's own loader sees (log4j-jul in a fat jar, a webapp). */
    @ParameterizedTest
    @ValueSource(ints = {17, 25})
    void aLoggingManagerOnlyTheApplicationSeesStillLoads(int version) throws Exception {
        Path appClasses = dir.resolve("app-classes");
        Path hiddenClasses = dir.resolve("hidden-classes");
        Path tests = Paths.get(ForkedJvm.testClasspath());
        try (Stream<Path> files = Files.walk(tests)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String relative = tests.relativize(file).toString();
                Path target = (relative.contains("testapp/hidden/") ? hiddenClasses : appClasses).resolve(relative);
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
        String output = probe(version, "jul-hidden", appClasses.toString(), jvm("ready=" + STARTED, appClasses.toString()),
                hiddenClasses.toString());
        assertTrue(output.contains("log manager: io.github.sdagent.agent.testapp.hidden.HiddenLogManager"), output);
    }

    /**
     * Finding 2: the application's {@code -Djna.boot.library.path} (its older JNA's native library) and
     * {@code -Djna.noclasspath=true} reached the agent's JNA, which loaded that library, failed and never sent READY;
     * and the application's JNA then found its library taken. Neither JNA sees the other's settings now.
     */
    @ParameterizedTest
    @ValueSource(ints = {17, 25})
    void jnaSettingsOfTheApplicationAreTheApplicationsOnly(int version) throws Exception {
        String appJna = System.getProperty("sdagent.test.jna.old.jar");
        assertNotNull(appJna, "sdagent.test.jna.old.jar not set by the pom");
        Path library = dir.resolve("app-jna-native");
        Files.createDirectories(library);
        try (JarFile jar = new JarFile(appJna);
             InputStream in = jar.getInputStream(jar.getJarEntry("com/sun/jna/linux-x86-64/libjnidispatch.so"))) {
            Files.copy(in, library.resolve("libjnidispatch.so"), StandardCopyOption.REPLACE_EXISTING);
        }
        String classpath = ForkedJvm.testClasspath() + ":" + appJna;
        String output = probe(version, "jna", classpath, jvm("ready=" + STARTED, classpath,
                "-Djna.boot.library.path=" + library, "-Djna.noclasspath=true", "--enable-native-access=ALL-UNNAMED"));
        assertTrue(output.contains("properties: jnidispatch.path=null jna.loaded=null"),
                "the agent's JNA published its settings: " + output);
        assertTrue(Pattern.compile("application JNA works: \\d+ from file:\\S+app-jna.jar").matcher(output).find(), output);
    }

    /** Finding 8: application code replaced the agent's hook dispatcher, so READY never came. */
    @ParameterizedTest
    @ValueSource(ints = {17, 25})
    void applicationCodeCannotTakeOverTheHookBridge(int version) throws Exception {
        String output = probe(version, "bridge", ForkedJvm.testClasspath(),
                jvm("ready=" + STARTED + "+" + APP + "#startedAgain", ForkedJvm.testClasspath()));
        assertTrue(output.contains("install returned false"), output);
        assertFalse(output.contains("application dispatcher called"), output);
    }

    /**
     * Finding 4: with a custom system class loader that is not parallel-capable, the application's main thread held
     * that loader's lock while held in the start gate, and the agent's start-up thread needed the same lock: 30 s of
     * nothing, then the hooked class loaded unhooked and READY never came.
     */
    @ParameterizedTest
    @ValueSource(ints = {17, 25})
    void aCustomNonParallelSystemClassLoaderNeitherStallsNorLosesHooks(int version) throws Exception {
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, jdk(version), jvm("ready=" + STARTED, ForkedJvm.testClasspath(),
                             "-Djava.system.class.loader=io.github.sdagent.agent.testapp.NonParallelSystemLoader"),
                     APP, Arrays.asList("serve"), notifyEnv(receiver))) {
            List<String> seen = new ArrayList<>();
            // well inside the 30 s the gate used to hold before giving up
            String ready = receiver.awaitContaining("READY=1", Duration.ofSeconds(20), seen);
            assertNotNull(ready, "no READY=1: " + seen + "\n" + app.stderr());
            assertTrue(ready.contains("STATUS=Ready in"), ready);
            assertFalse(app.stderr().contains("has not finished"), app.stderr());
        }
    }

    /**
     * Findings 3 and 7, with a systemd that has stopped reading its socket (its queue full): "Ready in ..." was
     * logged although READY=1 never left, the failure was not said because STATUS had failed for the same reason;
     * and SIGTERM waited about 2 s on the socket before the JVM's shutdown began. Now the log tells what happened,
     * and shutdown waits at most Lifecycle.STOPPING_WAIT_MILLIS.
     */
    @ParameterizedTest
    @ValueSource(ints = {17, 25})
    void aSystemdThatStoppedReadingNeitherFoolsTheLogNorHoldsTheShutdown(int version) throws Exception {
        try (NotifyReceiver receiver = new NotifyReceiver(dir)) {
            assertTrue(receiver.fillQueue() > 0);
            try (ForkedJvm app = ForkedJvm.start(dir, jdk(version), jvm("ready=" + STARTED, ForkedJvm.testClasspath()),
                    APP, Arrays.asList("serve"), notifyEnv(receiver))) {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!app.stderr().contains("could not send READY=1") && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                String stderr = app.stderr();
                assertTrue(stderr.contains("sd-agent: could not send READY=1 to systemd: java.io.IOException: sd_notify to NOTIFY_SOCKET="), stderr);
                assertTrue(stderr.contains("the receiver did not take the message within 1000 ms"), stderr);
                assertFalse(stderr.contains("Ready in"), "claimed ready although READY=1 never left: " + stderr);

                long signalled = System.nanoTime();
                app.signal("TERM");
                assertEquals(143, app.waitFor(WAIT));
                Matcher hook = Pattern.compile("shutdown hook at (\\d+)").matcher(app.stdout());
                assertTrue(hook.find(), app.stdout());
                long heldMillis = (Long.parseLong(hook.group(1)) - signalled) / 1_000_000;
                // before: ~2000 ms (1 s wait, then an inline send with its 1 s timeout); now at most 250 ms plus the
                // time to deliver the signal and start a thread on a busy machine
                assertTrue(heldMillis < 1500, "shutdown held back " + heldMillis + " ms by a systemd that does not read");
            }
        }
    }
}
