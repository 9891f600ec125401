package io.github.sdagent.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.function.Consumer;

/**
 * Where the agent's class file transformers go. In the running agent, to the launcher's StartGate (the one
 * transformer the JVM knows, so that classes held during the agent's start-up reach them); in tests and other
 * direct uses, straight to the Instrumentation.
 */
public final class Transformers {

    private Transformers() {
    }

    /** Registers each transformer with {@code inst}, retransformation enabled. */
    public static Consumer<ClassFileTransformer> direct(Instrumentation inst) {
        return new Consumer<ClassFileTransformer>() { // no lambda: see HookEngine#install
            @Override
            public void accept(ClassFileTransformer transformer) {
                inst.addTransformer(transformer, true);
            }
        };
    }
}
