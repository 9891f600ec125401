package io.github.sdagent.agent.launcher;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads the agent's internals (agent code, core, JNA, Byte Buddy) from the {@code .classdata} entries of the agent
 * jar. Its parent is the platform (Java 8: extension) loader, so the application's classes, and the application's
 * own JNA or Byte Buddy, are invisible to the agent and vice versa. The bootstrap bridge is found through the parent.
 */
final class IsolatedClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    /** The bridge lives in the bootstrap loader (see AgentMain); a second copy here would be a silent split. */
    static final String BRIDGE_PATH = "io/github/sdagent/agent/bridge/";

    /**
     * Also known to the agent's JnaProperties, which deletes the library once loaded, and, seconds after the start,
     * the copies killed JVMs left behind (not here: listing the temp directory is no work for the start path).
     */
    static final String NATIVE_DIRECTORY_PREFIX = "sd-agent-native-";

    private final JarFile jar;
    private final Map<String, URL> nativeFiles = new HashMap<>();
    private final String jarUrl;
    private final ProtectionDomain domain;

    IsolatedClassLoader(JarFile jar, URL jarUrl) {
        super(platformLoader());
        this.jar = jar;
        this.jarUrl = jarUrl.toExternalForm();
        this.domain = new ProtectionDomain(new CodeSource(jarUrl, (Certificate[]) null), null, this, null);
    }

    /** Java 9+: the platform loader; Java 8: the extension loader. Both are the system loader's parent. */
    private static ClassLoader platformLoader() {
        return ClassLoader.getSystemClassLoader().getParent();
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String path = name.replace('.', '/');
        JarEntry entry = path.startsWith(BRIDGE_PATH) ? null : jar.getJarEntry(path + AgentJar.CLASSDATA);
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytes;
        try {
            bytes = AgentJar.read(jar, entry);
        } catch (IOException e) {
            throw new ClassNotFoundException(name + " (reading " + entry.getName() + " from the agent jar failed)", e);
        }
        definePackageOf(name);
        return defineClass(name, bytes, 0, bytes.length, domain);
    }

    /**
     * Defines a second copy of a launcher class (stored as an ordinary {@code .class} entry) in this loader, where
     * it belongs to this loader's unnamed module instead of the application's. The launcher package is never part
     * of the internals' module.
     */
    Class<?> defineLauncherClass(String name) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded != null) {
                return loaded;
            }
            String entryName = name.replace('.', '/') + ".class";
            JarEntry entry = jar.getJarEntry(entryName);
            if (entry == null) {
                throw new ClassNotFoundException(name);
            }
            try {
                byte[] bytes = AgentJar.read(jar, entry);
                return defineClass(name, bytes, 0, bytes.length, domain);
            } catch (IOException e) {
                throw new ClassNotFoundException(name + " (reading " + entryName + " from the agent jar failed)", e);
            }
        }
    }

    @SuppressWarnings("deprecation") // getPackage: the Java 8 API; getDefinedPackage does not exist there
    private void definePackageOf(String className) {
        int dot = className.lastIndexOf('.');
        if (dot < 0) {
            return;
        }
        String name = className.substring(0, dot);
        if (getPackage(name) == null) {
            try {
                definePackage(name, null, null, null, null, null, null, null);
            } catch (IllegalArgumentException alreadyDefinedConcurrently) {
                // another thread won the race: fine
            }
        }
    }

    /**
     * Resources come from the agent jar, where they are stored under private names: {@code X.class} as
     * {@code X.classdata} (Byte Buddy/ASM read classes' bytes that way), anything else as {@code name.resdata}
     * (JNA's natives, for one).
     */
    @Override
    protected URL findResource(String name) {
        String entryName = name.startsWith("/") ? name.substring(1) : name;
        String stored = entryName.endsWith(".class")
                ? entryName.substring(0, entryName.length() - ".class".length()) + AgentJar.CLASSDATA
                : entryName + AgentJar.RESDATA;
        JarEntry entry = jar.getJarEntry(stored);
        if (entry == null) {
            return null;
        }
        if (entryName.endsWith(".so")) {
            URL file = nativeLibraryFile(entry, entryName.substring(entryName.lastIndexOf('/') + 1));
            if (file != null) {
                return file;
            }
        }
        return entryUrl(stored);
    }

    /**
     * Native libraries (JNA's libjnidispatch) are served as files, which JNA loads in place. Given a jar: URL, JNA
     * would extract its own copy with File.createTempFile, whose SecureRandom seeds itself and loads the security
     * providers: about 20 ms of CPU on every start, while the application starts too. The copy goes into a
     * directory made for it (atomically, owner-only); the agent deletes it once loaded. Null on any problem: the
     * jar: URL then, and JNA's own extraction.
     */
    private synchronized URL nativeLibraryFile(JarEntry entry, String fileName) {
        URL known = nativeFiles.get(entry.getName());
        if (known != null) {
            return known;
        }
        Path temp = Paths.get(System.getProperty("java.io.tmpdir"));
        Path dir = temp.resolve(NATIVE_DIRECTORY_PREFIX + Long.toHexString(System.nanoTime()));
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path file = dir.resolve(fileName);
            // A FileOutputStream, not Files.copy: that loads some 25 NIO channel classes on the start path. Safe in
            // a directory just created owner-only: nobody else can have put a file or link there.
            try (InputStream in = jar.getInputStream(entry); OutputStream out = new FileOutputStream(file.toFile())) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                }
            }
            URL url = file.toUri().toURL();
            nativeFiles.put(entry.getName(), url);
            return url;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Java 9+ asks this for resources of classes in a named module (e.g. JNA's natives via Class#getResource);
     * the default answers null for a named module. Deliberately no @Override: the method does not exist in Java 8.
     */
    protected URL findResource(String moduleName, String name) {
        return findResource(name);
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.<URL>emptyEnumeration() : Collections.enumeration(Collections.singleton(url));
    }

    private URL entryUrl(String entryName) {
        try {
            return new URL("jar:" + jarUrl + "!/" + entryName);
        } catch (MalformedURLException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "sd-agent isolated class loader (" + jarUrl + ")";
    }
}
