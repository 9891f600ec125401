package io.github.sdagent.agent.hooks;

import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Issue 15: `ready=no.such.Klass#start` answered "did you mean com.sun.jna.Klass?", a class of the agent's own JNA. */
class HookDiagnosticsTest {

    @Test
    void suggestionsNeverComeFromTheAgentsOwnClasses() throws Exception {
        URL jna = Paths.get(System.getProperty("sdagent.test.jna.jar")).toUri().toURL();
        try (URLClassLoader agentLoader = new URLClassLoader(new URL[] {jna}, null)) {
            Class<?> agentsKlass = Class.forName("com.sun.jna.Klass", false, agentLoader);
            Class<?> applicationsKlass = Class.forName("com.sun.jna.Klass", false, HookDiagnosticsTest.class.getClassLoader());
            Class<?> bridge = io.github.sdagent.agent.bridge.HookBridge.class;

            assertEquals(" (check the name: nested classes are written Outer$Inner)", HookDiagnostics.similarClasses(
                    "no.such.Klass", new Class<?>[] {agentsKlass}, agentLoader));
            assertEquals(" (check the name: nested classes are written Outer$Inner)", HookDiagnostics.similarClasses(
                    "no.such.HookBridge", new Class<?>[] {bridge}, agentLoader));
            // the same class in the application's own loader is a fair suggestion
            assertEquals(" (did you mean com.sun.jna.Klass?)", HookDiagnostics.similarClasses(
                    "no.such.Klass", new Class<?>[] {agentsKlass, applicationsKlass}, agentLoader));
        }
    }
}
