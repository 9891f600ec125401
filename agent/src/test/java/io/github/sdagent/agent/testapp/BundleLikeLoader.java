package io.github.sdagent.agent.testapp;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A class loader that, like an OSGi bundle's (Felix, Equinox) or a JBoss module's, asks its parent only for the
 * JDK's own packages and loads everything else from its own class path, so the agent's bridge (defined in the
 * bootstrap loader) is invisible to the classes it defines unless the agent makes it visible. Usage as a main
 * class: {@code CLASS [ARGS...]} runs {@code CLASS.main(ARGS)} as this loader loads it, over this JVM's class path.
 */
public class BundleLikeLoader extends URLClassLoader {

    private static final String[] JDK_PACKAGES = {"java.", "javax.", "jdk.", "sun.", "com.sun."};

    public BundleLikeLoader(URL[] urls, ClassLoader parent) {
        super(urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> type = findLoadedClass(name);
            if (type == null) {
                if (isJdk(name)) {
                    type = getParent().loadClass(name);
                } else {
                    try {
                        type = findClass(name);
                    } catch (ClassNotFoundException notHere) {
                        type = notOnOwnClassPath(name, notHere);
                    }
                }
            }
            if (resolve) {
                resolveClass(type);
            }
            return type;
        }
    }

    /** A class that is neither the JDK's nor on this loader's class path: not found (a subclass may say otherwise). */
    protected Class<?> notOnOwnClassPath(String name, ClassNotFoundException notHere) throws ClassNotFoundException {
        throw notHere;
    }

    static boolean isJdk(String name) {
        for (String prefix : JDK_PACKAGES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code mainClass.main(args)}, loaded by a new loader of this kind over this JVM's class path. */
    public static void run(String mainClass, String[] args) throws Exception {
        run(new BundleLikeLoader(classPath(), BundleLikeLoader.class.getClassLoader()), mainClass, args);
    }

    /** This JVM's class path, as URLs. */
    static URL[] classPath() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(new File(entry).toURI().toURL());
        }
        return urls.toArray(new URL[0]);
    }

    /** Runs {@code mainClass.main(args)} as {@code loader} defines it. */
    static void run(ClassLoader loader, String mainClass, String[] args) throws Exception {
        Class<?> type = loader.loadClass(mainClass);
        if (type.getClassLoader() != loader) {
            throw new IllegalStateException(mainClass + " was not defined by the " + loader.getClass().getSimpleName());
        }
        Method main = type.getMethod("main", String[].class);
        main.invoke(null, (Object) args);
    }

    public static void main(String[] args) throws Exception {
        run(args[0], Arrays.copyOfRange(args, 1, args.length));
    }
}
