package io.github.sdagent.agent.hooks;

import java.util.Map;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code java.lang.ProcessBuilder}'s instance {@code start} methods, so it may use only java.base
 * types: systemd's per-service variables belong to this JVM, never to its children.
 */
public final class ChildEnvironmentAdvice {

    private ChildEnvironmentAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This ProcessBuilder builder) {
        Map<String, String> environment = builder.environment();
        environment.remove("NOTIFY_SOCKET");
        environment.remove("WATCHDOG_USEC");
        environment.remove("WATCHDOG_PID");
        environment.remove("LISTEN_PID");
        environment.remove("LISTEN_FDS");
        environment.remove("LISTEN_FDNAMES");
    }
}
