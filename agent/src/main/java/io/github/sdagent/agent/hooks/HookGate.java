package io.github.sdagent.agent.hooks;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.utility.StreamDrainer;
import net.bytebuddy.utility.JavaModule;

import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

/**
 * The only transformer the agent registers. Byte Buddy's first use loads hundreds of classes, and the agent sits
 * on every service's start path, so this plain transformer stands in front of it: for every class the JVM loads
 * or retransforms it does one hash lookup of the class name, and hands only the exact names it was told about to
 * Byte Buddy. Byte Buddy is built on a background daemon thread; a target class that arrives before it is ready
 * waits for it (or builds it itself), so no hook is ever missed.
 */
final class HookGate implements ClassFileTransformer {

    private final Set<String> internalNames = ConcurrentHashMap.newKeySet();
    private final FutureTask<ClassFileTransformer> delegate;
    private final Consumer<String> problems;

    HookGate(Callable<ClassFileTransformer> byteBuddy, Consumer<String> problems) {
        this.delegate = new FutureTask<>(byteBuddy);
        this.problems = problems;
    }

    /** Builds Byte Buddy on a new daemon thread, then runs {@code then} on that thread. */
    void warmUpInBackground(String threadName, Runnable then) {
        Thread thread = new Thread(() -> {
            if (delegate() != null) {
                then.run();
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** @param binaryName {@code a.b.C} */
    void watch(String binaryName) {
        internalNames.add(binaryName.replace('.', '/'));
    }

    boolean watches(String binaryName) {
        return internalNames.contains(binaryName.replace('.', '/'));
    }

    /** The Byte Buddy transformer, built by the first caller; null (reported once) if building it failed. */
    ClassFileTransformer delegate() {
        delegate.run(); // no-op when another thread already runs or ran it
        try {
            return delegate.get();
        } catch (ExecutionException e) {
            problems.accept("hooks disabled: Byte Buddy failed to start: " + e.getCause());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer)
            throws IllegalClassFormatException {
        if (internalName == null || !internalNames.contains(internalName)) {
            return null;
        }
        ClassFileTransformer byteBuddy = delegate();
        return byteBuddy == null
                ? null
                : byteBuddy.transform(loader, internalName, classBeingRedefined, protectionDomain, classfileBuffer);
    }

    /**
     * The common Byte Buddy configuration: advice only (no class format changes, so retransformation works),
     * types described from class files first (a loaded class whose signatures name a missing optional class still
     * works), errors reported as problems, Byte Buddy's own classes and synthetic types ignored.
     */
    static AgentBuilder agentBuilder(Consumer<String> problems) {
        return new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
                                        Throwable throwable) {
                        problems.accept("could not instrument " + typeName + ": " + throwable);
                    }
                })
                .ignore(nameStartsWith("net.bytebuddy.").or(isSynthetic()));
    }

    /**
     * Finds the advice classes' bytes in the agent's own class loader, whether it serves them as {@code .class}
     * resources (tests) or as the agent jar's {@code .classdata} entries.
     */
    static ClassFileLocator adviceLocator() {
        ClassLoader loader = HookGate.class.getClassLoader();
        ClassFileLocator classdata = new ClassFileLocator() {
            @Override
            public Resolution locate(String name) throws IOException {
                String path = name.replace('.', '/') + ".classdata";
                try (InputStream in = loader == null
                        ? ClassLoader.getSystemResourceAsStream(path) : loader.getResourceAsStream(path)) {
                    return in == null ? new Resolution.Illegal(name) : new Resolution.Explicit(StreamDrainer.DEFAULT.drain(in));
                }
            }

            @Override
            public void close() {
            }
        };
        return new ClassFileLocator.Compound(ClassFileLocator.ForClassLoader.of(loader), classdata);
    }
}
