package io.github.sdagent.agent.hooks;

import java.lang.instrument.Instrumentation;
import java.util.function.Consumer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;

/** Puts {@link ChildEnvironmentAdvice} on {@code java.lang.ProcessBuilder} behind its own {@link HookGate}. */
public final class ProcessBuilderScrubbing {

    private static final String PROCESS_BUILDER = "java.lang.ProcessBuilder";
    private static boolean installed;

    private ProcessBuilderScrubbing() {
    }

    public static synchronized void install(Instrumentation inst, Consumer<String> problems) {
        if (installed) {
            return;
        }
        installed = true;
        HookGate gate = new HookGate(() -> {
            ClassFileLocator locator = HookGate.adviceLocator();
            Advice advice = Advice.to(TypePool.Default.of(locator)
                    .describe(ChildEnvironmentAdvice.class.getName()).resolve(), locator);
            return HookGate.agentBuilder(problems)
                    .type(named(PROCESS_BUILDER))
                    .transform((builder, type, loader, module, protectionDomain) ->
                            builder.visit(advice.on(named("start").and(not(isStatic())))))
                    .makeRaw();
        }, problems);
        gate.watch(PROCESS_BUILDER);
        inst.addTransformer(gate, true);
        Class<?> loaded = null;
        for (Class<?> type : inst.getAllLoadedClasses()) {
            if (type.getName().equals(PROCESS_BUILDER) && type.getClassLoader() == null) {
                loaded = type;
            }
        }
        if (loaded == null) {
            gate.warmUpInBackground("sd-agent-warmup", () -> { });
        } else {
            // Already loaded (an earlier agent or attach): no gate can catch its load, so instrument it now.
            try {
                inst.retransformClasses(loaded);
            } catch (Throwable t) {
                problems.accept("cannot scrub the environment of child processes: " + t);
            }
        }
    }
}
