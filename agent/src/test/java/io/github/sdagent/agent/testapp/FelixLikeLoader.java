package io.github.sdagent.agent.testapp;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleReference;

/**
 * A class loader that answers like an Apache Felix bundle's (Karaf): the JDK's packages from its parent, everything
 * else from its own class path, and, when a class is in neither, Felix's implicit boot delegation: the parent's
 * class when the caller is not a bundle's class (a library or an agent asking from outside), nothing when it is (the
 * bundle's own code, or the JVM resolving a reference in it). So the agent, asking this loader for its bridge, is
 * told it is there, while the bundle's woven classes do not find it. Usage as a main class: {@code CLASS [ARGS...]}.
 */
public final class FelixLikeLoader extends URLClassLoader implements BundleReference {

    private static final String[] JDK_PACKAGES = {"java.", "javax.", "jdk.", "sun.", "com.sun."};
    private static final StackWalker STACK = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    public FelixLikeLoader(URL[] urls, ClassLoader parent) {
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
                    } catch (ClassNotFoundException notInTheBundle) {
                        if (!calledFromOutsideABundle()) {
                            throw notInTheBundle;
                        }
                        type = getParent().loadClass(name);
                    }
                }
            }
            if (resolve) {
                resolveClass(type);
            }
            return type;
        }
    }

    /** Whether the first caller that is neither a class loader nor the JDK's is not a bundle's class. */
    private static boolean calledFromOutsideABundle() {
        Optional<Class<?>> caller = STACK.walk(frames -> frames.<Class<?>>map(StackWalker.StackFrame::getDeclaringClass)
                .filter(type -> !ClassLoader.class.isAssignableFrom(type) && !isJdk(type.getName()))
                .findFirst());
        return caller.isPresent() && !(caller.get().getClassLoader() instanceof FelixLikeLoader);
    }

    private static boolean isJdk(String name) {
        for (String prefix : JDK_PACKAGES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    public static void main(String[] args) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(new File(entry).toURI().toURL());
        }
        FelixLikeLoader loader = new FelixLikeLoader(urls.toArray(new URL[0]), FelixLikeLoader.class.getClassLoader());
        Class<?> type = loader.loadClass(args[0]);
        if (type.getClassLoader() != loader) {
            throw new IllegalStateException(args[0] + " was not defined by the Felix-like loader");
        }
        Method main = type.getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    }
}
