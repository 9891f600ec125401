package io.github.sdagent.agent.launcher;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Makes the agent's internals a named automatic module (Java 9+), so that native access can later be granted to
 * exactly that module. Written against the Java 8 API, hence reflection throughout.
 *
 * <p>First the fast way, {@link ModuleDefiner}; if this JDK refuses it, a module layer of their own, the public API's
 * way. For the layer, the JDK derives an automatic module's packages from {@code .class} entries only, and the agent jar stores its
 * internals as {@code .classdata}. So the module is derived from a tiny index jar written to a temp file: the
 * agent jar's manifest name plus one empty {@code package-info.class} entry per internal package. Its contents are
 * never loaded (our own loader defines the classes); it is deleted as soon as the layer exists.
 */
final class ModuleLayers {

    static final String MODULE_NAME_ATTRIBUTE = "Automatic-Module-Name";
    /** By name: a class literal would load it into the application's class loader too. */
    private static final String MODULE_DEFINER = "io.github.sdagent.agent.launcher.ModuleDefiner";

    private ModuleLayers() {
    }

    /** Returns the loader of the internals; on Java 9+ its classes belong to the named module. */
    static ClassLoader loadInternals(JarFile jar, URL jarUrl, Instrumentation inst) throws Exception {
        IsolatedClassLoader loader = new IsolatedClassLoader(jar, jarUrl);
        if (!hasModules()) {
            return loader;
        }
        String moduleName = jar.getManifest().getMainAttributes().getValue(MODULE_NAME_ATTRIBUTE);
        if (moduleName == null) {
            throw new IOException("the agent jar's manifest has no " + MODULE_NAME_ATTRIBUTE);
        }
        Set<String> packages = internalPackages(jar);
        try {
            defineDirectly(inst, loader, moduleName, packages);
        } catch (Exception | LinkageError refused) { // a JDK without jdk.internal.module.Modules#defineModule
            defineLayer(loader, moduleName, packages);
        }
        return loader;
    }

    /**
     * {@link ModuleDefiner}, run by the isolated loader's copy, with jdk.internal.module exported to it only. Direct
     * calls through {@link LauncherModules} and the JDK's Consumer (no Method.invoke: see ModuleDefiner).
     */
    @SuppressWarnings("unchecked")
    static void defineDirectly(Instrumentation inst, IsolatedClassLoader loader, String moduleName,
                               Set<String> packages) throws Exception {
        Class<?> definer = loader.defineLauncherClass(MODULE_DEFINER);
        LauncherModules.exportPackage(inst, Object.class, "jdk.internal.module", definer);
        ((Consumer<Object[]>) definer.getConstructor().newInstance()).accept(new Object[] {loader, moduleName, packages});
    }

    /** The public API's way: a layer holding one automatic module, derived from a temporary index jar. */
    static Object defineLayer(ClassLoader loader, String moduleName, Set<String> packages) throws Exception {
        Path index = ModuleIndexJar.write(moduleName, packages);
        try {
            return defineLayer(index, moduleName, loader);
        } finally {
            Files.deleteIfExists(index);
        }
    }

    static boolean hasModules() {
        try {
            Class.forName("java.lang.ModuleLayer");
            return true;
        } catch (ClassNotFoundException java8) {
            return false;
        }
    }

    /** Written by the build (agent/src/build/InternalPackages.java; AgentJarIT checks it): one package per line. */
    static final String PACKAGE_LIST = "META-INF/sd-agent/internal-packages";

    /**
     * Packages with .classdata entries, minus the launcher (application-visible) and the bridge (bootstrap), from the
     * list the build wrote: enumerating the jar's entries for them cost about 4 ms of CPU on every start (issue 14).
     */
    static Set<String> internalPackages(JarFile jar) throws IOException {
        JarEntry list = jar.getJarEntry(PACKAGE_LIST);
        if (list == null) {
            throw new IOException("the agent jar has no " + PACKAGE_LIST);
        }
        Set<String> packages = new TreeSet<>();
        for (String line : new String(AgentJar.read(jar, list), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (!line.trim().isEmpty()) {
                packages.add(line.trim());
            }
        }
        return packages;
    }

    /**
     * {@code ModuleLayer.defineModules(ModuleLayer.boot().configuration().resolve(ModuleFinder.of(index),
     * ModuleFinder.of(), Set.of(name)), List.of(ModuleLayer.boot()), n -> loader)}.
     */
    private static Object defineLayer(Path index, String moduleName, ClassLoader loader) throws Exception {
        Class<?> finderType = Class.forName("java.lang.module.ModuleFinder");
        Class<?> configurationType = Class.forName("java.lang.module.Configuration");
        Class<?> layerType = Class.forName("java.lang.ModuleLayer");
        Object finder = finderType.getMethod("of", Path[].class).invoke(null, (Object) new Path[] {index});
        Object none = finderType.getMethod("of", Path[].class).invoke(null, (Object) new Path[0]);
        Object bootLayer = layerType.getMethod("boot").invoke(null);
        Object bootConfiguration = layerType.getMethod("configuration").invoke(bootLayer);
        Object configuration = configurationType.getMethod("resolve", finderType, finderType, java.util.Collection.class)
                .invoke(bootConfiguration, finder, none, Collections.singleton(moduleName));
        Function<String, ClassLoader> loaders = name -> loader;
        Method defineModules = layerType.getMethod("defineModules", configurationType, List.class, Function.class);
        Object controller = defineModules.invoke(null, configuration, Collections.singletonList(bootLayer), loaders);
        Object layer = Class.forName("java.lang.ModuleLayer$Controller").getMethod("layer").invoke(controller);
        Object module = layerType.getMethod("findModule", String.class).invoke(layer, moduleName);
        return ((java.util.Optional<?>) module).get();
    }
}
