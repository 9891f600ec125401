package io.github.sdagent.agent.launcher;

import java.lang.reflect.InvocationTargetException;

/**
 * {@code java -jar sd-agent.jar ...}: runs the internal command line ({@code io.github.sdagent.agent.cli.Cli}) from the
 * isolated loader. The jar's {@code Enable-Native-Access: ALL-UNNAMED} covers JNA here: the command line is its
 * own JVM, so it needs no named module.
 */
public final class CliLauncher {

    private CliLauncher() {
    }

    public static void main(String[] args) {
        int status;
        try {
            ClassLoader internals = new IsolatedClassLoader(AgentJar.open(), AgentJar.url());
            Class<?> cli = Class.forName("io.github.sdagent.agent.cli.Cli", true, internals);
            status = (Integer) cli.getMethod("run", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            System.err.println("sd-agent: internal error: " + e.getCause());
            status = 1;
        } catch (Throwable e) {
            System.err.println("sd-agent: internal error: " + e);
            status = 1;
        }
        System.exit(status);
    }
}
