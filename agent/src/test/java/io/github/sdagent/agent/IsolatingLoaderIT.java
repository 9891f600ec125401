package io.github.sdagent.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sdagent.agent.hooks.BridgeVisibilityProbe;
import io.github.sdagent.agent.testapp.BundleLikeLoader;
import io.github.sdagent.agent.testapp.FelixLikeLoader;
import io.github.sdagent.agent.testapp.PluginServer;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hooked classes defined by a class loader that does not delegate the agent's packages to the bootstrap loader, as
 * an OSGi bundle's or a JBoss module's does ({@link BundleLikeLoader}). Before the fix, the woven constructor of
 * such a class threw NoClassDefFoundError for the hook bridge into the application; now the agent defines a
 * forwarder in that loader and the hook fires, or, when it cannot, leaves the class alone and says so.
 */
class IsolatingLoaderIT {

    static final String PLUGIN = PluginServer.class.getName();
    static final String HOOK = PLUGIN + "#start";
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static List<String> jvmArgs(String options, String classpath) {
        return new ArrayList<>(Arrays.asList("-javaagent:" + ForkedJvm.agentJar() + "=" + options, "-cp", classpath));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"17", "25"})
    void aHookInABundleLikeLoaderFiresAndTheApplicationRuns(String version) throws Exception {
        hookFiresAndTheApplicationRuns(version, BundleLikeLoader.class);
    }

    /** The plugin run by {@code loader}'s main: READY=1 from its hook, and it runs on without an error. */
    private void hookFiresAndTheApplicationRuns(String version, Class<?> loader) throws Exception {
        String jdk = version.equals("17") ? ForkedJvm.JDK17 : ForkedJvm.JDK25;
        int port = freePort();
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, jdk, jvmArgs("ready=" + HOOK + ",mainpid=off",
                     ForkedJvm.testClasspath()), loader.getName(),
                     List.of(PLUGIN, Integer.toString(port)), Map.of("NOTIFY_SOCKET", receiver.path().toString()))) {
            List<String> seen = new ArrayList<>();
            String ready = receiver.awaitContaining("READY=1", WAIT, seen);
            assertNotNull(ready, "no READY=1; got " + seen + "\n" + app.stderr());
            assertTrue(ready.contains("(" + HOOK + ")"), ready);
            app.awaitStdout("plugin started on " + port + " loader=" + loader.getSimpleName(), WAIT);
            assertTrue(!app.stderr().contains("Error") && !app.stderr().contains("Exception"), app.stderr());
        }
    }

    /**
     * A loader that answers the agent otherwise than its own classes, as Felix's bundles do (Karaf): asked from
     * outside a bundle it gives the parent's bridge (implicit boot delegation), so the agent must not trust that
     * answer. Before the fix no forwarder was defined and the woven class threw NoClassDefFoundError (Karaf's Pax Web
     * Jetty: IsolatingDistributionsIT in the suite); now the bundle gets the forwarder and the hook fires.
     */
    @ParameterizedTest
    @ValueSource(strings = {"17", "25"})
    void aHookInAFelixLikeBundleFiresThoughItsLoaderShowsTheAgentTheBridge(String version) throws Exception {
        hookFiresAndTheApplicationRuns(version, FelixLikeLoader.class);
    }

    /** The same under the real user manager: the unit becomes active through the hook. */
    @Test
    void underSystemdTheUnitBecomesActive() throws Exception {
        UserManager.require();
        String unit = "sdagent-agent-bundle-" + ThreadLocalRandom.current().nextInt(1_000_000) + ".service";
        Path output = dir.resolve("out.txt");
        try {
            List<String> command = new ArrayList<>(Arrays.asList("systemd-run", "--user", "--unit=" + unit,
                    "-p", "Type=notify", "-p", "TimeoutStartSec=60", "-p", "StandardOutput=file:" + output,
                    "-p", "StandardError=file:" + output, ForkedJvm.java(ForkedJvm.JDK17)));
            command.addAll(jvmArgs("ready=" + HOOK, ForkedJvm.testClasspath()));
            command.addAll(List.of(BundleLikeLoader.class.getName(), PLUGIN, Integer.toString(freePort())));
            UserManager.run(command.toArray(new String[0]));
            Map<String, String> state = UserManager.await(unit, 60_000, "active", "failed");
            assertEquals("active", state.get("ActiveState"), state + Files.readString(output));
            assertTrue(state.get("StatusText").startsWith("Ready in ") && state.get("StatusText").contains(HOOK),
                    state.toString());
        } finally {
            UserManager.cleanUp(unit);
        }
    }

    /**
     * A loader with a class of the bridge's name of its own (nothing the agent can forward to): the hooked class is
     * not woven, the application runs, and the agent says why.
     */
    @Test
    void aLoaderWithItsOwnBridgeClassIsLeftAlone() throws Exception {
        Path own = dir.resolve("own");
        BridgeVisibilityProbe.writeImpostorBridge(own);
        int port = freePort();
        try (NotifyReceiver receiver = new NotifyReceiver(dir);
             ForkedJvm app = ForkedJvm.start(dir, ForkedJvm.JDK17, jvmArgs("ready=" + HOOK + ",mainpid=off",
                     own + File.pathSeparator + ForkedJvm.testClasspath()), BundleLikeLoader.class.getName(),
                     List.of(PLUGIN, Integer.toString(port)), Map.of("NOTIFY_SOCKET", receiver.path().toString()))) {
            app.awaitStdout("plugin started on " + port, WAIT);
            long end = System.nanoTime() + WAIT.toNanos();
            while (!app.stderr().contains("of its own") && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            assertTrue(app.stderr().contains("could not instrument " + PLUGIN + ": java.lang.IllegalStateException: its"
                    + " class loader ") && app.stderr().contains(" has a class io.github.sdagent.agent.bridge.HookBridge"
                    + " of its own"), app.stderr());
            List<String> seen = receiver.drain(Duration.ofSeconds(1));
            assertTrue(seen.stream().noneMatch(m -> m.contains("READY=1")), seen.toString());
        }
    }
}
