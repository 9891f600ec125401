package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The agent given through JAVA_TOOL_OPTIONS (no edit to a vendor's start command) to a JVM that
 * starts a child JVM, which inherits JAVA_TOOL_OPTIONS and so loads the agent too. With
 * NotifyAccess=all systemd would believe the child: it must not speak. The child is serving while
 * the parent still waits out its start delay; only the parent's own ready hook may make the unit active.
 */
class ChildJvmIT {
    private static final String FORKING_MAIN = "io.github.sdagent.it.sample.jdk.ForkingApp";

    @ParameterizedTest
    @EnumSource(Jdk.class)
    void onlyTheParentJvmNotifies(Jdk jdk) throws Exception {
        int parentPort = Net.freePort();
        int childPort = Net.freePort();
        String agent = "-javaagent:" + Suite.agentJar() + "=ready=" + App.JDK_HTTPSERVER.readyHook;
        try (Unit unit = new Unit("child-" + jdk.id())) {
            unit.property("NotifyAccess", "all")
                    .env("JAVA_TOOL_OPTIONS", agent)
                    .env("PORT", Integer.toString(parentPort))
                    .env("CHILD_PORT", Integer.toString(childPort))
                    .env("SAMPLE_START_DELAY_MS", "5000")
                    .workingDirectory(App.JDK_HTTPSERVER.jar().getParent());
            List<String> command = new ArrayList<>(List.of(jdk.java().toString()));
            command.addAll(jdk.strictFlags());
            command.addAll(List.of("-cp", App.JDK_HTTPSERVER.jar().toString(), FORKING_MAIN));
            unit.start(command);

            unit.await("child serving", Unit.START_TIMEOUT, s -> Net.serves(childPort) || s.is("failed"));
            Unit.sleep(300); // time enough for a stray READY=1 from the child to reach systemd
            assertEquals("activating", unit.show().active(), () -> "the child JVM made the unit ready\n" + unit.diagnostics());

            Unit.State active = unit.await("active", Unit.START_TIMEOUT, s -> s.is("active") || s.is("failed"));
            assertEquals("active", active.active(), unit::diagnostics);
            assertTrue(Net.get(parentPort).startsWith("hello from forking-parent"));
            Expect.readyStatus(unit, active, App.JDK_HTTPSERVER.readyHook);

            String out = unit.stdout();
            assertTrue(out.contains("parent pid=" + active.mainPid() + " "), () -> "MainPID is not the parent\n" + unit.diagnostics());
            assertTrue(out.contains("JAVA_TOOL_OPTIONS=" + agent), () -> "the child did not inherit the agent\n" + out);
            assertTrue(out.contains("NOTIFY_SOCKET=null WATCHDOG_USEC=null"),
                    () -> "the child inherited systemd's variables\n" + unit.diagnostics());
        }
    }
}
