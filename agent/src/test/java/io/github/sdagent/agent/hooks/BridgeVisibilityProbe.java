package io.github.sdagent.agent.hooks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test support: class files for BridgeVisibility's cases. */
public final class BridgeVisibilityProbe {

    private BridgeVisibilityProbe() {
    }

    /**
     * Writes a class named {@code io.github.sdagent.agent.bridge.HookBridge} that is not the agent's (PluginServer
     * renamed: none of the bridge's methods) under {@code root}.
     */
    public static void writeImpostorBridge(Path root) throws IOException {
        byte[] template;
        try (InputStream in = BridgeVisibilityProbe.class.getResourceAsStream("/io/github/sdagent/agent/testapp/PluginServer.class")) {
            template = in.readAllBytes();
        }
        byte[] impostor = ForwarderInjection.renamed(template, "io/github/sdagent/agent/testapp/PluginServer",
                "io/github/sdagent/agent/bridge/HookBridge");
        Path file = root.resolve("io/github/sdagent/agent/bridge/HookBridge.class");
        Files.createDirectories(file.getParent());
        Files.write(file, impostor);
    }
}
