package io.github.sdagent.agent.hooks;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.function.Consumer;

/** Rewrites {@code java.lang.ProcessBuilder} with {@link HookWeaver#scrubEnvironment} when it loads (or now, if it has). */
public final class ProcessBuilderScrubbing implements ClassFileTransformer {

    private static final String PROCESS_BUILDER = "java/lang/ProcessBuilder";
    private static boolean installed;
    private final Consumer<String> problems;

    private ProcessBuilderScrubbing(Consumer<String> problems) {
        this.problems = problems;
    }

    public static synchronized void install(Instrumentation inst, Consumer<ClassFileTransformer> transformers,
                                            Consumer<String> problems) throws Exception {
        if (installed) {
            return;
        }
        installed = true;
        transformers.accept(new ProcessBuilderScrubbing(problems));
        for (Class<?> type : inst.getAllLoadedClasses()) {
            if (type.getName().equals("java.lang.ProcessBuilder")) {
                inst.retransformClasses(type); // loaded before us (an earlier agent, or attach): rewrite it now
            }
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classFile) {
        if (loader != null || !PROCESS_BUILDER.equals(internalName)) {
            return null;
        }
        try {
            return HookWeaver.scrubEnvironment(classFile);
        } catch (Throwable t) {
            problems.accept("cannot scrub the environment of child processes: " + t);
            return null;
        }
    }
}
