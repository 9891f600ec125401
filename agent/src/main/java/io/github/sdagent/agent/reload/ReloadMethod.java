package io.github.sdagent.agent.reload;

import io.github.sdagent.agent.hooks.CallTarget;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Finds what to call for a {@link CallTarget} at the moment of a reload, and calls it: the static method in the
 * class's most recently loaded copy, or the instance method on the most recently constructed instance (through
 * {@link Method#invoke}, so an override in the instance's class runs, as a normal call would).
 */
final class ReloadMethod {

    /** Why nothing could be called: said in STATUS and on stderr. */
    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private ReloadMethod() {
    }

    /** The receiver (null for a static method) and the method, ready to invoke. */
    static final class Call {
        final Object receiver;
        final Method method;

        Call(Object receiver, Method method) {
            this.receiver = receiver;
            this.method = method;
        }

        /** Runs the application's method; its exception is thrown as it is. */
        Object invoke() throws Throwable {
            try {
                return method.invoke(receiver);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        ClassLoader loader() {
            return method.getDeclaringClass().getClassLoader();
        }
    }

    static Call find(CallTarget target) throws Unavailable {
        CallTarget.Resolved resolved = target.resolved();
        String className = target.spec().className();
        if (resolved == null) {
            throw new Unavailable("class " + className + " has not been loaded");
        }
        if (!resolved.descriptor.startsWith("()")) { // a spec without parameter list may name m(int)
            throw new Unavailable(resolved.declaringClass + "#" + resolved.methodName
                    + " takes parameters; the reload method must take none");
        }
        Object receiver = null;
        Class<?> start;
        if (resolved.isStatic) {
            try {
                start = Class.forName(className, false, resolved.loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new Unavailable("class " + className + " cannot be found again: " + e);
            }
        } else {
            receiver = target.lastInstance();
            if (receiver == null) {
                throw new Unavailable("no instance of " + className + " has been constructed (or it was garbage collected)");
            }
            start = receiver.getClass();
        }
        Method method = declared(start, resolved.declaringClass, resolved.methodName);
        if (method == null) {
            throw new Unavailable(resolved.declaringClass + "#" + resolved.methodName + " not found in "
                    + start.getName() + "'s type hierarchy");
        }
        try {
            method.setAccessible(true); // non-public methods and classes; the application's packages are open to us
        } catch (RuntimeException notOpen) { // InaccessibleObjectException (Java 9+): a named module that is not open
            if (!java.lang.reflect.Modifier.isPublic(method.getModifiers())) {
                throw new Unavailable("cannot call " + method + ": " + notOpen.getMessage());
            }
        }
        return new Call(receiver, method);
    }

    /** The no-argument method {@code name} declared in the supertype {@code declaringClass} of {@code type}. */
    private static Method declared(Class<?> type, String declaringClass, String name) {
        Deque<Class<?>> pending = new ArrayDeque<>();
        pending.add(type);
        while (!pending.isEmpty()) {
            Class<?> candidate = pending.removeFirst();
            if (candidate.getName().equals(declaringClass)) {
                try {
                    return candidate.getDeclaredMethod(name);
                } catch (NoSuchMethodException e) {
                    return null;
                }
            }
            if (candidate.getSuperclass() != null) {
                pending.add(candidate.getSuperclass());
            }
            for (Class<?> itf : candidate.getInterfaces()) {
                pending.add(itf);
            }
        }
        return null;
    }
}
