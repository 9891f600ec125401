package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.OneLine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One hook spec, immutable: {@code Class#method}, {@code Class#method(T1,T2)}, or the shell-safe spellings
 * {@code Class#method:T1:T2} and {@code Class#method:} (explicitly no parameters). Types are Java names:
 * primitives, fully qualified or simple class names, nested classes as {@code Outer$Inner} or {@code Outer.Inner},
 * arrays as {@code T[]}.
 */
public final class HookSpec {

    private static final String FORMS =
            "expected Class#method, Class#method(T1,T2), Class#method:T1:T2 or Class#method: (no parameters)";

    private final String className;
    private final String methodName;
    private final List<String> parameterTypes;

    private HookSpec(String className, String methodName, List<String> parameterTypes) {
        this.className = className;
        this.methodName = methodName;
        this.parameterTypes = parameterTypes;
    }

    /** @throws IllegalArgumentException one line naming the text and the allowed forms */
    public static HookSpec parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("hook spec is missing: " + FORMS);
        }
        String spec = text.trim();
        int hash = spec.indexOf('#');
        if (hash <= 0 || hash != spec.lastIndexOf('#')) {
            throw bad(text, "no single '#' between class and method");
        }
        String className = spec.substring(0, hash);
        String rest = spec.substring(hash + 1);
        String methodName;
        List<String> types;
        int paren = rest.indexOf('(');
        int colon = rest.indexOf(':');
        if (paren >= 0 && (colon < 0 || paren < colon)) {
            if (!rest.endsWith(")")) {
                throw bad(text, "parameter list must end with ')'");
            }
            methodName = rest.substring(0, paren);
            types = splitTypes(text, rest.substring(paren + 1, rest.length() - 1), ',');
        } else if (colon >= 0) {
            methodName = rest.substring(0, colon);
            types = splitTypes(text, rest.substring(colon + 1), ':');
        } else {
            methodName = rest;
            types = null;
        }
        if (!isJavaName(className, true)) {
            throw bad(text, "'" + OneLine.shown(className) + "' is not a class name");
        }
        if (!isJavaName(methodName, false)) {
            throw bad(text, "'" + OneLine.shown(methodName) + "' is not a method name");
        }
        return new HookSpec(className, methodName, types);
    }

    private static List<String> splitTypes(String text, String list, char separator) {
        List<String> types = new ArrayList<>();
        if (list.trim().isEmpty()) {
            return Collections.emptyList();
        }
        for (String part : list.split(separator == ',' ? "," : ":", -1)) {
            String type = part.trim();
            String element = type;
            while (element.endsWith("[]")) {
                element = element.substring(0, element.length() - 2).trim();
            }
            if (!isJavaName(element, true)) {
                throw bad(text, "'" + OneLine.shown(type) + "' is not a parameter type");
            }
            types.add(element + type.substring(type.indexOf('[') < 0 ? type.length() : type.indexOf('[')).replace(" ", ""));
        }
        return Collections.unmodifiableList(types);
    }

    /** Dotted Java identifiers ({@code $} allowed, as in binary names); a single identifier unless {@code dotted}. */
    private static boolean isJavaName(String name, boolean dotted) {
        if (name.isEmpty()) {
            return false;
        }
        boolean start = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (start) {
                if (!Character.isJavaIdentifierStart(c)) {
                    return false;
                }
                start = false;
            } else if (c == '.' && dotted) {
                start = true;
            } else if (!Character.isJavaIdentifierPart(c) || Character.isIdentifierIgnorable(c)) {
                // "ignorable" identifier parts are control characters (U+0000-U+0008, U+000E-U+001B, U+007F-U+009F)
                return false;
            }
        }
        return !start;
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("bad hook spec '" + OneLine.shown(text) + "': " + why + "; " + FORMS);
    }

    public String className() {
        return className;
    }

    public String methodName() {
        return methodName;
    }

    /** The declared parameter types, or {@code null} when none were given (the default overload rules apply). */
    public List<String> parameterTypes() {
        return parameterTypes;
    }

    /** Canonical spelling: {@code a.B#m} without a parameter list, else {@code a.B#m(T1,T2)}. */
    @Override
    public String toString() {
        return parameterTypes == null
                ? className + "#" + methodName
                : className + "#" + methodName + "(" + String.join(",", parameterTypes) + ")";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HookSpec && other.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
