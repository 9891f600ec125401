package io.github.sdagent.agent.ready;

import io.github.sdagent.agent.hooks.HookSpec;

/**
 * One server or framework that {@code ready=auto} recognises: the class and method whose return (or whose returned
 * future's completion) means "serving", what to call it in the READY status, and optionally a check of the object
 * that just started, for servers that log a failed bind and return normally.
 */
public final class Preset {

    /** A framework wraps servers (its ready point comes last); a server is named in parentheses after it. */
    public enum Kind { FRAMEWORK, SERVER }

    /** Looks at the receiver of the ready method after it returned; null when it is serving, else why not. */
    public interface Check {
        String problem(Object started) throws Exception;
    }

    final String name;
    final Kind kind;
    /** binary name, e.g. org.eclipse.jetty.server.Server */
    final String className;
    /** the spec's method part, as after '#' in a ready= hook, e.g. {@code doStart:} */
    final String method;
    final Check check;

    Preset(String name, Kind kind, String className, String method, Check check) {
        this.name = name;
        this.kind = kind;
        this.className = className;
        this.method = method;
        this.check = check;
    }

    /** The hook for this preset's class, or for a relocated copy of it ({@code com.acme.shaded.} + className). */
    HookSpec spec(String binaryClassName) {
        return HookSpec.parse(binaryClassName + "#" + method);
    }

    public String name() {
        return name;
    }

    public String className() {
        return className;
    }

    @Override
    public String toString() {
        return name + " (" + className + "#" + method + ")";
    }
}
