package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.hooks.HookEngine.Hook;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * When a counted hooked call has finished: when it returns or throws, or, for a method that starts work and returns
 * a future (Vert.x, Netty), when that future completes. Apart from {@link HookEngine} so that this class and its
 * lambda load only once a hooked call returns, never on the agent's start path.
 */
final class HookCompletion {

    private HookCompletion() {
    }

    /**
     * Tells the hook's listener once the counted call has really finished: at once, or, when it returned a
     * CompletionStage or Future, when that completes.
     */
    static void reportWhenDone(Hook hook, Object self, Object returned, Throwable thrown) {
        if (thrown != null) {
            hook.failed(thrown);
            return;
        }
        CompletionStage<?> stage = asCompletionStage(returned);
        if (stage != null) {
            stage.whenComplete((value, failure) -> {
                if (failure == null) {
                    hook.returned(self);
                } else {
                    hook.failed(failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure);
                }
            });
        } else if (returned instanceof Future) {
            watch((Future<?>) returned, hook, self);
        } else {
            hook.returned(self);
        }
    }

    /** A CompletionStage, or a Vert.x-style future offering a public {@code toCompletionStage()}; else null. */
    private static CompletionStage<?> asCompletionStage(Object returned) {
        if (returned instanceof CompletionStage) {
            return (CompletionStage<?>) returned;
        }
        if (returned == null || returned instanceof Future) {
            return null;
        }
        Deque<Class<?>> pending = new ArrayDeque<>(Collections.<Class<?>>singletonList(returned.getClass()));
        while (!pending.isEmpty()) {
            Class<?> type = pending.removeFirst();
            if (type.isInterface() && Modifier.isPublic(type.getModifiers())) {
                try {
                    Method method = type.getMethod("toCompletionStage");
                    if (CompletionStage.class.isAssignableFrom(method.getReturnType())) {
                        return (CompletionStage<?>) method.invoke(returned);
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // not this interface
                }
            }
            Collections.addAll(pending, type.getInterfaces());
            if (type.getSuperclass() != null) {
                pending.add(type.getSuperclass());
            }
        }
        return null;
    }

    /**
     * A plain {@link Future} offers no callback: a daemon thread polls it (1 ms doubling to 50 ms, so READY comes at
     * most 50 ms late). Netty's ChannelFuture lands here.
     */
    private static void watch(Future<?> future, Hook hook, Object self) {
        Thread thread = new Thread(() -> {
            try {
                for (long sleep = 1; !future.isDone(); sleep = Math.min(50, sleep * 2)) {
                    Thread.sleep(sleep);
                }
                future.get();
                hook.returned(self);
            } catch (ExecutionException e) {
                hook.failed(e.getCause() == null ? e : e.getCause());
            } catch (CancellationException e) {
                hook.failed(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sd-agent-future-watch");
        thread.setDaemon(true);
        thread.start();
    }
}
