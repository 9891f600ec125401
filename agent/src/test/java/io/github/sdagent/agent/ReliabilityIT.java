package io.github.sdagent.agent;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15, "the agent is never the cause of an outage": forked JVMs with the built agent jar under a notify socket of
 * our own, each a fault of the application or its environment, on JDK 17 and 25. The application always runs on; the
 * agent says what is wrong in one line, and where READY=1 will never come, in STATUS too.
 */
class ReliabilityIT {

    static final String APP = "io.github.sdagent.agent.testapp.FaultApp";
    static final String STARTED = APP + "#started";
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static String jdk(int version) {
        return version == 17 ? ForkedJvm.JDK17 : ForkedJvm.JDK25;
    }

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static List<String> jvm(String options, String... more) {
        List<String> args = new ArrayList<>(Arrays.asList(more));
        args.add("-javaagent:" + ForkedJvm.agentJar() + "=" + options);
        args.add("-cp");
        args.add(ForkedJvm.testClasspath());
        return args;
    }

    /** The agent's lines on stderr must be its own one-liners: never a stack trace, never an "internal error". */
    private static void assertQuiet(ForkedJvm app) throws Exception {
        String stderr = app.stderr();
        assertFalse(stderr.contains("\tat ") || stderr.contains("Exception in thread"), "a stack trace: " + stderr);
        assertFalse(stderr.contains("internal error"), "an internal error for a normal event: " + stderr);
    }

    /** `ready=no.such.Klass#start` answered "did you mean com.sun.jna.Klass?", a class of the agent's own JNA. */
    @ParameterizedTest
    @ValueSource(ints = {17, 25})
    void aClassThatNeverLoadsIsShownInStatusWithoutSuggestingTheAgentsInternals(int version) throws Exception {
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, jdk(version), jvm("ready=no.such.Klass#start,hook-grace=1s"), APP,
                     Arrays.asList("run"), env("NOTIFY_SOCKET", receiver.path().toString()))) {
            List<String> seen = new ArrayList<>();
            String status = receiver.awaitContaining("STATUS=Startup problem: ready hook no.such.Klass#start: class "
                    + "no.such.Klass was not loaded within 1000 ms", WAIT, seen);
            assertNotNull(status, seen + "\n" + app.stderr());
            assertFalse(status.contains("did you mean"), status);
            assertFalse(app.stderr().contains("com.sun.jna"), app.stderr());
            assertTrue(app.process.isAlive(), "the application runs on");
        }
    }

    /** An ambiguous overload is found only when the class loads: it went to stderr only, and STATUS kept waiting. */
    @ParameterizedTest
    @ValueSource(ints = {17, 25})
    void aHookProblemFoundWhenTheClassLoadsReachesStatus(int version) throws Exception {
        String spec = APP + "$Overloads#start";
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, jdk(version), jvm("ready=" + spec), APP, Arrays.asList("overloaded"),
                     env("NOTIFY_SOCKET", receiver.path().toString()))) {
            List<String> seen = new ArrayList<>();
            String status = receiver.awaitContaining("STATUS=Startup problem: ready hook " + spec + ": 2 overloads match",
                    WAIT, seen);
            assertNotNull(status, seen + "\n" + app.stderr());
            assertTrue(status.contains(spec + "(int)") && status.contains(spec + "(java.lang.String)"), status);
            assertTrue(app.stderr().contains("sd-agent: ready hook " + spec + ": 2 overloads match"), app.stderr());
            app.awaitStdout("started on 8080", WAIT);
            assertFalse(String.join("\n", receiver.drain(Duration.ofMillis(500))).contains("READY=1"));
            assertTrue(app.process.isAlive(), "the application runs on");
        }
    }

    /** A malformed NOTIFY_SOCKET was said only when the first message failed, and again for each kind of message. */
    @ParameterizedTest
    @ValueSource(ints = {17, 25})
    void aMalformedNotifySocketIsSaidOnceAtStart(int version) throws Exception {
        try (ForkedJvm app = ForkedJvm.start(dir, jdk(version), jvm("ready=" + STARTED), APP, Arrays.asList("run"),
                env("NOTIFY_SOCKET", "run/notify\nREADY=1"))) {
            app.awaitStdout("app started", WAIT);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!app.stderr().contains("sd-agent:") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(1000); // a READY=1 or STATUS that tried to go out would have said so by now
            app.signal("TERM");
            assertEquals(143, app.waitFor(WAIT));
            String stderr = app.stderr();
            assertEquals(1, stderr.split("sd-agent:", -1).length - 1, "one line, once: " + stderr);
            assertTrue(stderr.contains("sd-agent: NOTIFY_SOCKET=\"run/notify\\nREADY=1\" is malformed: not an address; "
                    + "allowed: an absolute path"), stderr);
            assertTrue(stderr.contains("The agent stays inactive"), stderr);
            assertTrue(app.stdout().contains("app shutdown hook ran"), app.stdout());
            assertQuiet(app);
        }
    }
}
