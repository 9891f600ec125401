package io.github.sdagent.agent;

import io.github.sdagent.agent.isolation.ModuleAccess;
import io.github.sdagent.agent.isolation.NativeAccess;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Defines the bridge package ({@code io.github.sdagent.agent.bridge}, JDK types only) in the bootstrap class
 * loader, so advice inlined into classes of any class loader (Spring Boot, Tomcat webapps, the JDK) can call it.
 *
 * <p>The classes are defined directly (Unsafe#defineClass with the bootstrap loader; on Java 9+ the agent's module
 * is first given access to jdk.internal.misc through its Instrumentation). The usual way, appending a jar with
 * Instrumentation#appendToBootstrapClassLoaderSearch, makes HotSpot print "Sharing is only supported for boot loader
 * classes because bootstrap classpath has been appended" into every application's output and turns off CDS for
 * application classes; it remains only as the fallback.
 */
public final class BootstrapClasses {

    static final String BRIDGE_PATH = "io/github/sdagent/agent/bridge/";
    static final String CLASSDATA = ".classdata";
    static final String ALREADY_PRESENT = "already present";
    /** Written by the build: the bridge's class entries, one per line. */
    static final String BRIDGE_LIST = "META-INF/sd-agent/bridge-classes";

    private BootstrapClasses() {
    }

    /** @return how the bridge got there, for the debug log, or {@link #ALREADY_PRESENT} (another agent instance) */
    static String define(Instrumentation inst, JarFile agentJar) throws Exception {
        return defineLater(inst, agentJar, BRIDGE_PATH);
    }

    /**
     * Defines the classes of one more bridge package (e.g. {@code io/github/sdagent/agent/bridge/listen/}, which
     * only the bind interception needs) in the bootstrap loader, when a feature first needs them: sub-packages of
     * the bridge are not defined at start. Same ways and results as {@link #define}.
     */
    public static String defineLater(Instrumentation inst, JarFile agentJar, String packagePath) throws Exception {
        Map<String, byte[]> classes = classesIn(agentJar, packagePath);
        if (classes.isEmpty()) {
            throw new IllegalStateException("the agent jar has no " + packagePath + " classes");
        }
        if (alreadyDefined(classes)) {
            return ALREADY_PRESENT;
        }
        try {
            defineWithUnsafe(inst, classes);
            return "defined in the bootstrap loader";
        } catch (Exception | LinkageError e) {
            appendJar(inst, classes);
            return "appended to the bootstrap class path (direct definition failed: " + OneLine.summary(e) + ")";
        }
    }

    /**
     * The classes directly in {@code packagePath} (not in its sub-packages). Their entries come from the list the
     * build wrote (agent/src/build/InternalPackages.java; AgentJarIT checks it): enumerating the jar's 650 entries for
     * them cost about 4 ms of CPU on the start path (issue 14).
     */
    private static Map<String, byte[]> classesIn(JarFile jar, String packagePath) throws IOException {
        JarEntry list = jar.getJarEntry(BRIDGE_LIST);
        if (list == null) {
            throw new IOException("the agent jar has no " + BRIDGE_LIST);
        }
        String names;
        try (InputStream in = jar.getInputStream(list)) {
            names = new String(readAll(in), StandardCharsets.UTF_8);
        }
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (String name : names.split("\n")) {
            JarEntry entry = name.startsWith(packagePath) && name.endsWith(CLASSDATA)
                    && name.indexOf('/', packagePath.length()) < 0 ? jar.getJarEntry(name) : null;
            if (entry != null) {
                String className = name.substring(0, name.length() - CLASSDATA.length()).replace('/', '.');
                try (InputStream in = jar.getInputStream(entry)) {
                    classes.put(className, readAll(in));
                }
            }
        }
        return classes;
    }

    private static boolean alreadyDefined(Map<String, byte[]> classes) {
        try {
            Class.forName(classes.keySet().iterator().next(), false, null);
            return true;
        } catch (ClassNotFoundException absent) {
            return false;
        }
    }

    private static void defineWithUnsafe(Instrumentation inst, Map<String, byte[]> classes) throws Exception {
        if (!NativeAccess.hasModules()) {
            defineWithLegacyUnsafe(classes);
            return;
        }
        // Java 9+: export jdk.internal.misc to this module only (the application's modules are not widened), then
        // call Unsafe directly (ModuleAccess: no Method.invoke on the start path).
        ModuleAccess.exportPackage(inst, Object.class, "jdk.internal.misc", BootstrapClasses.class);
        Map<String, byte[]> pending = new LinkedHashMap<>(classes);
        while (!pending.isEmpty()) { // a class whose supertype is another bridge class needs that one first
            int before = pending.size();
            Throwable last = null;
            for (Iterator<Map.Entry<String, byte[]>> it = pending.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, byte[]> next = it.next();
                try {
                    ModuleAccess.defineInBootstrapLoader(next.getKey(), next.getValue());
                    it.remove();
                } catch (LinkageError notYet) {
                    last = notYet;
                }
            }
            if (pending.size() == before) {
                throw new IllegalStateException("cannot define " + pending.keySet() + ": " + last, last);
            }
        }
    }

    /** Java 8: sun.misc.Unsafe, reached by reflection (its defineClass is gone from Java 11's). */
    private static void defineWithLegacyUnsafe(Map<String, byte[]> classes) throws Exception {
        Class<?> legacy = Class.forName("sun.misc.Unsafe");
        Field field = legacy.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        Object unsafe = field.get(null);
        Method defineClass = legacy.getMethod("defineClass",
                String.class, byte[].class, int.class, int.class, ClassLoader.class, ProtectionDomain.class);
        Map<String, byte[]> pending = new LinkedHashMap<>(classes);
        while (!pending.isEmpty()) {
            int before = pending.size();
            Throwable last = null;
            for (Iterator<Map.Entry<String, byte[]>> it = pending.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, byte[]> next = it.next();
                try {
                    defineClass.invoke(unsafe, next.getKey(), next.getValue(), 0, next.getValue().length, null, null);
                    it.remove();
                } catch (InvocationTargetException e) {
                    last = e.getCause();
                }
            }
            if (pending.size() == before) {
                throw new IllegalStateException("cannot define " + pending.keySet() + ": " + last, last);
            }
        }
    }

    /** Fallback: a private temp jar, deleted at once (the JVM opens it when it is appended). */
    private static void appendJar(Instrumentation inst, Map<String, byte[]> classes) throws IOException {
        Path temp = Files.createTempFile("sd-agent-bridge", ".jar"); // owner-only permissions
        try {
            try (OutputStream file = Files.newOutputStream(temp); JarOutputStream out = new JarOutputStream(file)) {
                for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
                    out.putNextEntry(new JarEntry(entry.getKey().replace('.', '/') + ".class"));
                    out.write(entry.getValue());
                    out.closeEntry();
                }
            }
            try (JarFile bridge = new JarFile(temp.toFile())) {
                inst.appendToBootstrapClassLoaderSearch(bridge);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
