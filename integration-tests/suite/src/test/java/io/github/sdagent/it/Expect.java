package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions several scenarios share, each failing with the unit's states and output. */
final class Expect {
    private Expect() {
    }

    /** The agent's STATUS once READY=1 went out, e.g. {@code Ready in 2.31 s (org.eclipse.jetty.server.Server#start)}. */
    static void readyStatus(Unit unit, Unit.State state, String hook) {
        String status = state.statusText();
        String classAndMethod = hook.replaceAll("[:(].*", "");
        assertTrue(status.startsWith("Ready") && status.contains(classAndMethod),
                () -> "StatusText \"" + status + "\" is not the ready message for " + hook + "\n" + unit.diagnostics());
    }

    /**
     * On JDK 24+ the JDK warns about native access once per module that uses it without being
     * allowed to; with native access denied to unnamed modules, any restricted-method warning would
     * be the agent's (its JNA must run in its own module, enabled by the agent itself).
     */
    static void noNativeAccessWarning(Unit unit) {
        assertFalse(unit.stderr().contains("restricted method"), () -> "native access warning\n" + unit.diagnostics());
    }

    /** No JDK warning (Unsafe, native access, ...) may name the agent's jar: operators would see it on every start. */
    static void noJdkWarningNamesTheAgent(Unit unit) {
        String agentJar = Suite.agentJar().toString();
        unit.stderr().lines().filter(l -> l.startsWith("WARNING:")).forEach(warning ->
                assertFalse(warning.contains(agentJar), () -> "JDK warning caused by the agent: " + warning + "\n" + unit.diagnostics()));
    }

    /**
     * The Spring Boot app used its own JNA 5.8.0 and Byte Buddy 1.12.19 from its nested jars, at
     * startup (before any request) and while serving; any JDK native-access warning names the app's
     * JNA, never the agent.
     */
    static void ownLibrariesUsed(Unit unit, Unit.State state, String body) {
        String startup = unit.stdout().lines().filter(l -> l.startsWith("startup libraries: ")).findFirst().orElse("");
        for (String used : new String[] {startup, body}) {
            assertTrue(used.contains(" jna=5.8.0 "), () -> "app's JNA is not 5.8.0: " + used + "\n" + unit.diagnostics());
            assertTrue(used.contains("BOOT-INF/lib/jna-5.8.0.jar"), () -> "JNA not from the fat jar: " + used);
            assertTrue(used.contains("BOOT-INF/lib/byte-buddy-1.12.19.jar"), () -> "Byte Buddy not the app's: " + used);
            assertTrue(used.contains("bytebuddy-made=generated"), () -> "app's Byte Buddy did not work: " + used);
        }
        assertTrue(startup.startsWith("startup libraries: getpid=" + state.mainPid() + " "),
                () -> "app's own JNA getpid disagrees with systemd's MainPID " + state.mainPid() + ": " + startup);
        unit.stderr().lines().filter(l -> l.contains("has been called by")).forEach(warning ->
                assertTrue(warning.contains("jna-5.8.0.jar") && !warning.toLowerCase().contains("sdagent")
                        && !warning.contains("sd-agent"), () -> "native access warning not about the app's JNA: " + warning));
    }
}
