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
public final class BundleLikeLoader extends URLClassLoader {

    private static final String[] JDK_PACKAGES = {"java.", "javax.", "jdk.", "sun.", "com.sun."};

    public BundleLikeLoader(URL[] urls, ClassLoader parent) {
        super(urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> type = findLoadedClass(name);
            if (type == null) {
                type = isJdk(name) ? getParent().loadClass(name) : findClass(name);
            }
            if (resolve) {
                resolveClass(type);
            }
            return type;
        }
    }

    private static boolean isJdk(String name) {
        for (String prefix : JDK_PACKAGES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code mainClass.main(args)}, loaded by a new loader of this kind over this JVM's class path. */
    public static void run(String mainClass, String[] args) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(new File(entry).toURI().toURL());
        }
        BundleLikeLoader loader = new BundleLikeLoader(urls.toArray(new URL[0]), BundleLikeLoader.class.getClassLoader());
        Class<?> type = loader.loadClass(mainClass);
        if (type.getClassLoader() != loader) {
            throw new IllegalStateException(mainClass + " was not defined by the bundle-like loader");
        }
        Method main = type.getMethod("main", String[].class);
        main.invoke(null, (Object) args);
    }

    public static void main(String[] args) throws Exception {
        run(args[0], Arrays.copyOfRange(args, 1, args.length));
    }
}
