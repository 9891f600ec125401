package io.github.sdagent.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A -javaagent that does nothing: the floor of what any agent costs (the JVM loads java.instrument and
 * reads the agent jar), against which an inactive sd-agent is compared.
 */
public final class EmptyAgent {
    private EmptyAgent() {
    }

    public static void premain(String options, Instrumentation instrumentation) {
        // nothing, on purpose
    }

    /** Writes a jar holding only this class, with {@code Premain-Class} pointing at it. */
    static Path writeJar(Path directory) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", EmptyAgent.class.getName());
        Path jar = directory.resolve("empty-agent.jar");
        String entry = EmptyAgent.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest);
             var classFile = EmptyAgent.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            classFile.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }
}
