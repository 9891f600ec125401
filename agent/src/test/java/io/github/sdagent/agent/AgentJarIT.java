package io.github.sdagent.agent;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the built agent/target/sd-agent.jar contains, and its command line. */
class AgentJarIT {

    @TempDir
    Path dir;

    @Test
    void onlyTheLauncherIsLoadableAndOnlyLinuxNatives() throws Exception {
        Path jar = ForkedJvm.agentJar();
        List<String> natives = new ArrayList<>();
        int classdata = 0;
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : Collections.list(file.entries())) {
                String name = entry.getName();
                if (!entry.isDirectory() && !name.startsWith("META-INF/")) {
                    assertTrue(name.startsWith("io/github/sdagent/agent/launcher/") && name.endsWith(".class")
                            || name.endsWith(".classdata") || name.endsWith(".resdata"),
                            "visible to the application's class loaders: " + name);
                }
                assertFalse(name.startsWith("META-INF/versions/") || name.endsWith("module-info.classdata")
                        || name.startsWith("META-INF/maven/"), "dependency junk: " + name);
                if (name.endsWith(".classdata")) {
                    classdata++;
                }
                if (name.matches(".*\\.(so|dll|jnilib|a)(\\.resdata)?$")) {
                    natives.add(name);
                }
            }
            // the ABIs core supports (64-bit Linux), nothing else
            assertEquals(List.of("com/sun/jna/linux-aarch64/libjnidispatch.so.resdata", "com/sun/jna/linux-x86-64/libjnidispatch.so.resdata"),
                    natives.stream().sorted().collect(java.util.stream.Collectors.toList()));
            for (String internal : new String[] {"io/github/sdagent/agent/AgentMain", "io/github/sdagent/core/Daemon",
                    "com/sun/jna/Native", "net/bytebuddy/jar/asm/ClassReader", "io/github/sdagent/agent/bridge/HookBridge"}) {
                assertNotNull(file.getEntry(internal + ".classdata"), internal);
            }
            Attributes main = file.getManifest().getMainAttributes();
            assertEquals("io.github.sdagent.agent.launcher.AgentLauncher", main.getValue("Premain-Class"));
            assertEquals("io.github.sdagent.agent.launcher.AgentLauncher", main.getValue("Agent-Class"));
            assertEquals("io.github.sdagent.agent.launcher.CliLauncher", main.getValue("Main-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertEquals("true", main.getValue("Can-Redefine-Classes"));
            assertEquals("io.github.sdagent.agent", main.getValue("Automatic-Module-Name"));
            assertEquals("ALL-UNNAMED", main.getValue("Enable-Native-Access"));
        }
        System.out.printf("sd-agent.jar: %d bytes (%.2f MiB), %d .classdata entries, natives %s%n",
                Files.size(jar), Files.size(jar) / 1048576.0, classdata, natives);
    }

    /**
     * The launcher defines the internals' module from the package list the build wrote, and the agent the bootstrap
     * bridge from its class list (issue 14: reading them is cheaper than enumerating the jar at every start); they
     * must name exactly the packages of the internals' classes and the bridge's class entries.
     */
    @Test
    void theBuildsListsNameExactlyTheInternalsPackagesAndTheBridgesClasses() throws Exception {
        try (JarFile jar = new JarFile(ForkedJvm.agentJar().toFile())) {
            Set<String> packages = new TreeSet<>();
            Set<String> bridge = new TreeSet<>();
            for (JarEntry entry : Collections.list(jar.entries())) {
                String name = entry.getName();
                if (name.endsWith(".classdata") && name.startsWith("io/github/sdagent/agent/bridge/")) {
                    bridge.add(name);
                } else if (name.endsWith(".classdata")) {
                    packages.add(name.substring(0, name.lastIndexOf('/')).replace('/', '.'));
                }
            }
            assertTrue(packages.contains("com.sun.jna") && packages.contains("io.github.sdagent.agent.hooks"), packages.toString());
            assertTrue(bridge.contains("io/github/sdagent/agent/bridge/HookBridge.classdata")
                    && bridge.contains("io/github/sdagent/agent/bridge/listen/ListenBridge.classdata"), bridge.toString());
            assertEquals(packages, listed(jar, "META-INF/sd-agent/internal-packages"));
            assertEquals(bridge, listed(jar, "META-INF/sd-agent/bridge-classes"));
        }
    }

    private static Set<String> listed(JarFile jar, String entryName) throws java.io.IOException {
        JarEntry list = jar.getJarEntry(entryName);
        assertNotNull(list, "the build wrote no " + entryName);
        return new TreeSet<>(List.of(new String(jar.getInputStream(list).readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8).trim().split("\n")));
    }

    @Test
    void everyClassTheShippedClassesReferToIsShippedOrPartOfTheJdk() throws Exception {
        Set<String> shipped = new HashSet<>();
        Map<String, byte[]> classes = new HashMap<>();
        try (JarFile file = new JarFile(ForkedJvm.agentJar().toFile())) {
            for (JarEntry entry : Collections.list(file.entries())) {
                String name = entry.getName();
                String type = name.endsWith(".classdata") ? name.substring(0, name.length() - ".classdata".length())
                        : name.endsWith(".class") ? name.substring(0, name.length() - ".class".length()) : null;
                if (type != null) {
                    shipped.add(type);
                    classes.put(type, file.getInputStream(entry).readAllBytes());
                }
            }
        }
        Set<String> referenced = new TreeSet<>();
        Remapper recorder = new Remapper() {
            @Override
            public String map(String internalName) {
                referenced.add(internalName);
                return internalName;
            }
        };
        for (byte[] bytes : classes.values()) {
            new ClassReader(bytes).accept(new ClassRemapper(new ClassWriter(0), recorder), 0);
        }
        ClassLoader jdk = ClassLoader.getPlatformClassLoader();
        List<String> missing = new ArrayList<>();
        for (String type : referenced) {
            if (!shipped.contains(type)) {
                try {
                    Class.forName(type.replace('/', '.'), false, jdk);
                } catch (ClassNotFoundException | LinkageError e) {
                    missing.add(type);
                }
            }
        }
        assertEquals(List.of(), missing, "referenced by the agent's classes but neither in the jar nor in the JDK");
        // What the agent never changes: nothing it ships can initialise the JVM's logging manager (JNA's copy is
        // rewritten to private stand-ins at build time, agent/src/build/JnaIsolation.java)
        assertEquals(List.of(), referenced.stream().filter(type -> type.startsWith("java/util/logging/")).collect(java.util.stream.Collectors.toList()),
                "java.util.logging referenced by the agent's classes");
    }

    private ForkedJvm cli(String javaHome, Map<String, String> env, String... args) throws Exception {
        List<String> jvm = new ArrayList<>();
        jvm.add("-jar");
        jvm.add(ForkedJvm.agentJar().toString());
        Path sub = Files.createTempDirectory(dir, "cli");
        return ForkedJvm.start(sub, javaHome, jvm, args[0], List.of(args).subList(1, args.length), env);
    }

    @Test
    void commandLineOnBothJdks() throws Exception {
        for (String jdk : new String[] {ForkedJvm.JDK17, ForkedJvm.JDK25}) {
            try (ForkedJvm version = cli(jdk, Map.of(), "version")) {
                assertEquals(0, version.waitFor(Duration.ofSeconds(60)));
                assertTrue(version.stdout().matches("sd-agent \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\nByte Buddy \\d+\\.\\d+\\.\\d+ \\(its bundled ASM only\\)\nJNA \\d+\\.\\d+\\.\\d+\n"),
                        version.stdout());
            }
            try (ForkedJvm check = cli(jdk, Map.of(), "config", "ready=a.B#c,watchdog=sometimes")) {
                assertEquals(1, check.waitFor(Duration.ofSeconds(60)));
                assertEquals("sd-agent: invalid option watchdog=sometimes (-javaagent options): expected on or off\n", check.stderr());
            }
            try (ForkedJvm usage = cli(jdk, Map.of(), "bogus")) {
                assertEquals(2, usage.waitFor(Duration.ofSeconds(60)));
            }
            try (NotifyReceiver receiver = new NotifyReceiver(Files.createTempDirectory(dir, "sock"));
                 ForkedJvm notify = cli(jdk, Map.of("NOTIFY_SOCKET", receiver.path().toString()), "notify", "READY=1", "STATUS=from the CLI")) {
                assertEquals(0, notify.waitFor(Duration.ofSeconds(60)), notify.stderr());
                assertEquals("READY=1\nSTATUS=from the CLI", receiver.poll(Duration.ofSeconds(5)));
                assertEquals("", notify.stderr(), "no JDK warnings (Enable-Native-Access: ALL-UNNAMED in the manifest)");
            }
            try (ForkedJvm notSystemd = cli(jdk, Map.of(), "notify", "READY=1")) {
                assertEquals(1, notSystemd.waitFor(Duration.ofSeconds(60)));
                assertTrue(notSystemd.stderr().contains("NOTIFY_SOCKET is not set"), notSystemd.stderr());
            }
        }
    }
}
