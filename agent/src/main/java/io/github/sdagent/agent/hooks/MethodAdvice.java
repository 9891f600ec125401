package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.bridge.HookBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** Inlined into the hooked method (static or instance). Stateless; calls only the bootstrap bridge. */
public final class MethodAdvice {

    private MethodAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@SiteId int site, @Advice.This(optional = true) Object self) {
        return HookBridge.enter(site, self);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter Object token,
                     @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object returned,
                     @Advice.Thrown Throwable thrown) {
        if (token != null) {
            HookBridge.exit(token, returned, thrown);
        }
    }
}
