package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.ChildEnvironment;
import io.github.sdagent.agent.Transformers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * Runs in a forked JVM whose environment has systemd's variables: installs the scrubbing (unless "--plain"),
 * then starts /usr/bin/env every way the JDK offers and prints what each child saw.
 */
public final class ChildEnvironmentProbe {

    private ChildEnvironmentProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (!(args.length > 0 && args[0].equals("--plain"))) {
            Instrumentation inst = ByteBuddyAgent.install();
            ChildEnvironment.install(inst, Transformers.direct(inst), problem -> System.out.println("PROBLEM " + problem));
        }
        System.out.println("self NOTIFY_SOCKET=" + System.getenv("NOTIFY_SOCKET"));
        print("processbuilder", new ProcessBuilder("/usr/bin/env").start());
        print("exec", Runtime.getRuntime().exec(new String[] {"/usr/bin/env"}));
        print("exec-envp", Runtime.getRuntime().exec(new String[] {"/usr/bin/env"},
                new String[] {"NOTIFY_SOCKET=/explicit", "LISTEN_FDS=3", "SDAGENT_PROBE=explicit"}));
        List<Process> pipeline = ProcessBuilder.startPipeline(
                List.of(new ProcessBuilder("/usr/bin/env"), new ProcessBuilder("/bin/cat")));
        print("pipeline", pipeline.get(1));
    }

    private static void print(String how, Process process) throws IOException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = process.getInputStream()) {
            in.transferTo(out);
        }
        process.waitFor();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            System.out.println(how + ": " + line);
        }
    }
}
