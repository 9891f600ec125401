package io.github.sdagent.agent.testapp;

import java.net.URL;
import java.util.Arrays;
import java.util.Optional;
import org.osgi.framework.BundleReference;

/**
 * A class loader that answers like an Apache Felix bundle's (Karaf): the JDK's packages from its parent, everything
 * else from its own class path, and, when a class is in neither, Felix's implicit boot delegation: the parent's
 * class when the caller is not a bundle's class (a library or an agent asking from outside), nothing when it is (the
 * bundle's own code, or the JVM resolving a reference in it). So the agent, asking this loader for its bridge, is
 * told it is there, while the bundle's woven classes do not find it. Usage as a main class: {@code CLASS [ARGS...]}.
 */
public final class FelixLikeLoader extends BundleLikeLoader implements BundleReference {

    private static final StackWalker STACK = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    public FelixLikeLoader(URL[] urls, ClassLoader parent) {
        super(urls, parent);
    }

    /** Felix's implicit boot delegation: the parent's class, when the caller is not a bundle's class. */
    @Override
    protected Class<?> notOnOwnClassPath(String name, ClassNotFoundException notHere) throws ClassNotFoundException {
        if (!calledFromOutsideABundle()) {
            throw notHere;
        }
        return getParent().loadClass(name);
    }

    /** Whether the first caller that is neither a class loader nor the JDK's is not a bundle's class. */
    private static boolean calledFromOutsideABundle() {
        Optional<Class<?>> caller = STACK.walk(frames -> frames.<Class<?>>map(StackWalker.StackFrame::getDeclaringClass)
                .filter(type -> !ClassLoader.class.isAssignableFrom(type) && !isJdk(type.getName()))
                .findFirst());
        return caller.isPresent() && !(caller.get().getClassLoader() instanceof FelixLikeLoader);
    }

    public static void main(String[] args) throws Exception {
        run(new FelixLikeLoader(classPath(), FelixLikeLoader.class.getClassLoader()), args[0],
                Arrays.copyOfRange(args, 1, args.length));
    }
}
