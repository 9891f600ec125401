package io.github.sdagent.agent.launcher;

import jdk.internal.module.Modules;

import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The fast way to make the internals a named module: one call to the JDK's {@code jdk.internal.module.Modules}, which
 * is how the JDK itself defines its dynamic (proxy) modules. About 2 ms, against 30-40 ms for
 * {@code Configuration.resolve} + {@code ModuleLayer.defineModules}, whose resolver spins a dozen lambda classes and
 * maps every package of the boot layer; an agent on every service's start path should not pay that.
 *
 * <p>This class is defined a second time, by the {@link IsolatedClassLoader}, into that loader's <em>unnamed</em>
 * module, and only that module is given access to {@code jdk.internal.module} (the application's modules are not
 * widened). The module it defines is automatic, like the one a layer would make: open, reading every module of the
 * boot layer and all unnamed modules.
 *
 * <p>Compiled on its own for Java 9 (src/main/java9, against the JDK's jdk.internal.module), and only ever loaded on
 * Java 9+: direct calls, no {@code Method.invoke}, whose first use on JDK 18+ spins method-handle classes that the
 * JIT then compiles, on the CPU the application needs for its own start-up. The launcher calls the isolated copy
 * through {@link Consumer}, a JDK type both copies share.
 */
public final class ModuleDefiner implements Consumer<Object[]> {

    /** {@code {ClassLoader loader, String moduleName, Set<String> packages}}. */
    @Override
    @SuppressWarnings("unchecked")
    public void accept(Object[] arguments) {
        define((ClassLoader) arguments[0], (String) arguments[1], (Set<String>) arguments[2]);
    }

    static void define(ClassLoader loader, String moduleName, Set<String> packages) {
        ModuleDescriptor descriptor = ModuleDescriptor.newAutomaticModule(moduleName).packages(packages).build();
        Module module = Modules.defineModule(loader, descriptor, null);
        Modules.addReadsAllUnnamed(module);
        for (Module bootModule : ModuleLayer.boot().modules()) {
            Modules.addReads(module, bootModule);
        }
    }
}
