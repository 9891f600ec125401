package io.github.sdagent.agent.launcher;

import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs on JDK 17 and 25 (the jdk25 surefire execution): the JDK derives our automatic module from the index jar. */
class ModuleIndexJarTest {

    @Test
    void theJdkDerivesTheAutomaticModuleWithEveryPackage() throws Exception {
        Set<String> packages = new TreeSet<>(Set.of("io.github.sdagent.agent", "io.github.sdagent.core", "com.sun.jna",
                "net.bytebuddy.jar.asm"));
        Path index = ModuleIndexJar.write("io.github.sdagent.agent", packages);
        try {
            Set<ModuleReference> found = ModuleFinder.of(index).findAll();
            assertEquals(1, found.size());
            ModuleDescriptor descriptor = found.iterator().next().descriptor();
            assertEquals("io.github.sdagent.agent", descriptor.name());
            assertTrue(descriptor.isAutomatic());
            assertEquals(packages, descriptor.packages());
            try (JarFile jar = new JarFile(index.toFile())) { // a well-formed jar for java.util.jar too
                assertEquals("io.github.sdagent.agent", jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name"));
                assertEquals(packages.size() + 1, jar.size());
            }
        } finally {
            Files.deleteIfExists(index);
        }
    }
}
