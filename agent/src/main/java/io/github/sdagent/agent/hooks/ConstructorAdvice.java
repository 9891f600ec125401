package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.bridge.HookBridge;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of the named class's constructors: the first instance of each runtime class tells the
 * engine which method implementation to hook before anyone can call it. Stateless; calls only the bridge.
 */
public final class ConstructorAdvice {

    private ConstructorAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@HookId int hook, @Advice.Origin Class<?> named, @Advice.This Object self) {
        HookBridge.constructed(hook, named, self);
    }
}
