package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.hooks.HookSpec;
import java.lang.ref.WeakReference;

/**
 * Where a spec's method can be called later (for {@code reload=}): filled in by the {@link HookEngine} from the same
 * class loading and constructor reports as the ready hooks, but no method is hooked. For an instance method, the most
 * recently constructed instance of the named class (or of a subclass, or of an implementation of a named interface),
 * held weakly so that the agent never keeps a discarded object alive; for a static method, the loader of the most
 * recently loaded copy of the class.
 */
public final class CallTarget {

    private final HookSpec spec;
    private volatile Resolved resolved;
    private volatile WeakReference<Object> lastInstance;

    CallTarget(HookSpec spec) {
        this.spec = spec;
    }

    public HookSpec spec() {
        return spec;
    }

    /** What the spec resolved to in the most recently loaded copy of its class; null until that class loaded. */
    public Resolved resolved() {
        return resolved;
    }

    /** The most recently constructed instance that is still alive; null if none. */
    public Object lastInstance() {
        WeakReference<Object> last = lastInstance;
        return last == null ? null : last.get();
    }

    void resolved(ClassLoader loader, ClassInfo.MethodInfo method) {
        resolved = new Resolved(loader, method.owner.name, method.name, method.descriptor,
                method.is(net.bytebuddy.jar.asm.Opcodes.ACC_STATIC));
    }

    /** Called by a woven constructor: one volatile write. */
    void constructed(Object instance) {
        lastInstance = new WeakReference<>(instance);
    }

    /** The resolved method: declared in {@code declaringClass} (the named class or a supertype). */
    public static final class Resolved {
        /** the loader that loaded the named class (null: the bootstrap loader) */
        public final ClassLoader loader;
        public final String declaringClass;
        public final String methodName;
        public final String descriptor;
        public final boolean isStatic;

        Resolved(ClassLoader loader, String declaringClass, String methodName, String descriptor, boolean isStatic) {
            this.loader = loader;
            this.declaringClass = declaringClass;
            this.methodName = methodName;
            this.descriptor = descriptor;
            this.isStatic = isStatic;
        }
    }
}
