package io.github.sdagent.agent.testapp;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

/**
 * A custom {@code -Djava.system.class.loader} that is not parallel-capable (it does not register itself, as many
 * older ones don't): the JVM then locks the whole loader for each class it loads. It defines the class path's
 * classes itself, and the agent jar's, which the JDK appends to it through appendToClassPathForInstrumentation.
 */
public final class NonParallelSystemLoader extends URLClassLoader {

    public NonParallelSystemLoader(ClassLoader defaultSystemLoader) {
        super(classPath(), defaultSystemLoader.getParent());
    }

    private static URL[] classPath() {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            try {
                urls.add(new File(entry).toURI().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException(entry, e);
            }
        }
        return urls.toArray(new URL[0]);
    }

    /** Called by the JDK for -javaagent jars when the system class loader is a custom one. */
    void appendToClassPathForInstrumentation(String path) throws MalformedURLException {
        addURL(new File(path).toURI().toURL());
    }
}
