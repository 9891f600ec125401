package io.github.sdagent.agent.launcher;

import java.lang.reflect.Method;
import java.net.URI;
import java.util.Set;

/**
 * The fast way to make the internals a named module: one call to the JDK's {@code jdk.internal.module.Modules}, which
 * is how the JDK itself defines its dynamic (proxy) modules. About 2 ms, against 30-40 ms for
 * {@code Configuration.resolve} + {@code ModuleLayer.defineModules}, whose resolver spins a dozen lambda classes and
 * maps every package of the boot layer; an agent on every service's start path should not pay that.
 *
 * <p>This class is defined a second time, by the {@link IsolatedClassLoader}, into that loader's <em>unnamed</em>
 * module, and only that module is given access to {@code jdk.internal.module} (the application's modules are not
 * widened). The module it defines is automatic, like the one a layer would make: open, reading every module of the
 * boot layer and all unnamed modules. Java 8 API, hence reflection.
 */
public final class ModuleDefiner {

    private ModuleDefiner() {
    }

    /** Called reflectively on the isolated loader's copy of this class. */
    public static void define(ClassLoader loader, String moduleName, Set<String> packages) throws Exception {
        Class<?> descriptorType = Class.forName("java.lang.module.ModuleDescriptor");
        Class<?> builderType = Class.forName("java.lang.module.ModuleDescriptor$Builder");
        Class<?> moduleType = Class.forName("java.lang.Module");
        Class<?> layerType = Class.forName("java.lang.ModuleLayer");
        Class<?> modules = Class.forName("jdk.internal.module.Modules");

        Object builder = descriptorType.getMethod("newAutomaticModule", String.class).invoke(null, moduleName);
        builderType.getMethod("packages", Set.class).invoke(builder, packages);
        Object descriptor = builderType.getMethod("build").invoke(builder);
        Object module = modules.getMethod("defineModule", ClassLoader.class, descriptorType, URI.class)
                .invoke(null, loader, descriptor, null);

        modules.getMethod("addReadsAllUnnamed", moduleType).invoke(null, module);
        Method addReads = modules.getMethod("addReads", moduleType, moduleType);
        Object bootLayer = layerType.getMethod("boot").invoke(null);
        for (Object bootModule : (Set<?>) layerType.getMethod("modules").invoke(bootLayer)) {
            addReads.invoke(null, module, bootModule);
        }
    }
}
