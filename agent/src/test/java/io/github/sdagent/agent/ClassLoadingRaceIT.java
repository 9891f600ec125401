package io.github.sdagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sdagent.agent.testapp.ClassLoadRaceApp;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent never leaves an application thread stuck in class loading (docs/hang-investigation.md). A CI run had a
 * Spring Boot fat jar that stayed silent for 120 s: its launcher's main thread loaded java.lang.AssertionError while
 * the agent's start-up thread verified Byte Buddy's ClassReader, which needs that class; main then waited in the hook
 * engine's transformer for ClassReader, whose verification waited for main's load of AssertionError, for good.
 * {@link ClassLoadRaceApp} forces that interleaving on every run (a -javaagent listed before sd-agent that holds each
 * thread at the right class); the application must finish. Forked JVMs on JDK 17 and 25, with a notify receiver of
 * our own so that the agent is active.
 */
class ClassLoadingRaceIT {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"17", "25"})
    void aMainThreadLoadingAClassTheAgentsVerifierNeedsIsNeverStuck(String version) throws Exception {
        Path raceAgent = dir.resolve("race-agent.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", ClassLoadRaceApp.class.getName());
        try (JarOutputStream empty = new JarOutputStream(Files.newOutputStream(raceAgent), manifest)) {
            // the class itself comes from the test class path
        }
        String javaHome = version.equals("17") ? ForkedJvm.JDK17 : ForkedJvm.JDK25;
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, javaHome, Arrays.asList("-javaagent:" + raceAgent,
                     "-javaagent:" + ForkedJvm.agentJar() + "=ready=io.github.sdagent.agent.testapp.NeverLoaded#ready",
                     "-cp", ForkedJvm.testClasspath()),
                     ClassLoadRaceApp.class.getName(), Collections.emptyList(),
                     Collections.singletonMap("NOTIFY_SOCKET", receiver.path().toString()))) {
            // each of the race agent's holds ends after at most 30 s: 90 s is a hang
            boolean finished = app.process.waitFor(90, TimeUnit.SECONDS);
            String threads = finished ? "" : "\nthreads:\n" + threadDump(javaHome, app.process.pid());
            assertTrue(finished, "the application never finished loading java.lang.AssertionError\nstdout: "
                    + app.stdout() + "\nstderr: " + app.stderr() + threads);
            assertEquals(0, app.process.exitValue(), app.stderr());
            assertTrue(app.stdout().contains("loaded"), app.stdout() + app.stderr());
            // the interleaving did happen: a run that missed it proves nothing
            assertTrue(app.stderr().contains("forced: main held java/lang/AssertionError until the agent's start-up "
                    + "thread waited for it in the hook engine"), app.stderr());
            assertTrue(!app.stderr().contains("not forced"), app.stderr());
        }
    }

    private static String threadDump(String javaHome, long pid) throws Exception {
        Process jstack = new ProcessBuilder(javaHome + "/bin/jstack", Long.toString(pid)).redirectErrorStream(true)
                .start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = jstack.getInputStream()) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
        }
        jstack.waitFor(30, TimeUnit.SECONDS);
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }
}
