package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.HookSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;

/**
 * The overload rules of a {@code ready=} spec, applied to a type description (read from class files, so a method
 * signature naming a missing optional class does not break resolution):
 * <ul>
 *   <li>candidates are the methods of that name declared in the class, its superclasses and its interfaces (any
 *       visibility; an override hides what it overrides; bridge methods are ignored);</li>
 *   <li>with parameter types: the candidate whose parameters match them;</li>
 *   <li>without: the no-argument method if there is one, else the only candidate; otherwise ambiguous.</li>
 * </ul>
 */
final class MethodResolver {

    /** Either a method or a one-line problem. */
    static final class Resolution {
        final MethodDescription method;
        final String problem;

        private Resolution(MethodDescription method, String problem) {
            this.method = method;
            this.problem = problem;
        }
    }

    private MethodResolver() {
    }

    static Resolution resolve(TypeDescription type, HookSpec spec) {
        List<MethodDescription> candidates = candidates(type, spec.methodName());
        if (candidates.isEmpty()) {
            return problem(spec, "no method " + spec.methodName() + " in " + type.getName()
                    + " or its supertypes" + didYouMean(type, spec.methodName()));
        }
        List<String> wanted = spec.parameterTypes();
        List<MethodDescription> matching = new ArrayList<>();
        for (MethodDescription candidate : candidates) {
            if (wanted == null ? candidate.getParameters().isEmpty() : parametersMatch(candidate, wanted)) {
                matching.add(candidate);
            }
        }
        if (wanted == null && matching.isEmpty()) {
            matching = candidates;
        }
        if (matching.size() == 1) {
            return new Resolution(matching.get(0), null);
        }
        if (matching.isEmpty()) {
            return problem(spec, "no overload of " + spec.methodName() + " in " + type.getName()
                    + " takes (" + String.join(",", wanted) + "); there are: " + spellings(type, candidates));
        }
        return problem(spec, matching.size() + " overloads match; name one: " + spellings(type, matching));
    }

    /** The method that runs when {@code method} is called on an instance of the concrete class {@code runtime}. */
    static MethodDescription implementation(TypeDescription runtime, MethodDescription method) {
        if (method.isPrivate() || method.isStatic()) {
            return method;
        }
        List<String> parameters = parameterNames(method);
        MethodDescription defaultMethod = null;
        for (TypeDescription type : hierarchy(runtime)) {
            for (MethodDescription candidate : type.getDeclaredMethods()) {
                if (candidate.getName().equals(method.getName()) && !candidate.isBridge() && !candidate.isAbstract()
                        && !candidate.isStatic() && parameterNames(candidate).equals(parameters)) {
                    if (!type.isInterface()) {
                        return candidate;
                    }
                    if (defaultMethod == null) {
                        defaultMethod = candidate;
                    }
                }
            }
        }
        return defaultMethod;
    }

    /** Binary names of the erased parameter types, arrays as {@code T[]}. */
    static List<String> parameterNames(MethodDescription method) {
        List<String> names = new ArrayList<>();
        for (TypeDescription type : method.getParameters().asTypeList().asErasures()) {
            names.add(typeName(type));
        }
        return names;
    }

    private static String typeName(TypeDescription type) {
        return type.isArray() ? typeName(type.getComponentType()) + "[]" : type.getName();
    }

    /** A spec type matches a binary name ({@code a.B$C}), a source name ({@code a.B.C}) or, unqualified, a simple name. */
    private static boolean parametersMatch(MethodDescription method, List<String> wanted) {
        List<String> actual = parameterNames(method);
        if (actual.size() != wanted.size()) {
            return false;
        }
        for (int i = 0; i < actual.size(); i++) {
            String have = actual.get(i);
            String want = wanted.get(i);
            boolean simple = want.replace("[]", "").indexOf('.') < 0;
            if (!have.equals(want) && !have.replace('$', '.').equals(want)
                    && !(simple && (have.endsWith("." + want) || have.endsWith("$" + want)))) {
                return false;
            }
        }
        return true;
    }

    /** Methods named {@code name}, most specific first, one per parameter list. */
    private static List<MethodDescription> candidates(TypeDescription type, String name) {
        Map<List<String>, MethodDescription> byParameters = new LinkedHashMap<>();
        for (TypeDescription declaring : hierarchy(type)) {
            for (MethodDescription method : declaring.getDeclaredMethods()) {
                if (method.getName().equals(name) && method.isMethod() && !method.isBridge()) {
                    List<String> parameters = parameterNames(method);
                    if (!byParameters.containsKey(parameters)) {
                        byParameters.put(parameters, method);
                    }
                }
            }
        }
        return new ArrayList<>(byParameters.values());
    }

    /** The class, its superclasses (nearest first), then all their interfaces (breadth first). */
    private static List<TypeDescription> hierarchy(TypeDescription type) {
        List<TypeDescription> classes = new ArrayList<>();
        for (TypeDefinition current = type; current != null; current = current.getSuperClass()) {
            classes.add(current.asErasure());
        }
        List<TypeDescription> result = new ArrayList<>(classes);
        Set<String> seen = new HashSet<>();
        Deque<TypeDescription> pending = new ArrayDeque<>();
        for (TypeDescription declaring : classes) {
            pending.addAll(declaring.getInterfaces().asErasures());
        }
        while (!pending.isEmpty()) {
            TypeDescription itf = pending.removeFirst();
            if (seen.add(itf.getName())) {
                result.add(itf);
                pending.addAll(itf.getInterfaces().asErasures());
            }
        }
        return result;
    }

    private static String spellings(TypeDescription type, List<MethodDescription> methods) {
        List<String> result = new ArrayList<>();
        for (MethodDescription method : methods) {
            List<String> parameters = parameterNames(method);
            String prefix = type.getName() + "#" + method.getName();
            result.add(prefix + "(" + String.join(",", parameters) + ")"
                    + " [unquoted: " + prefix + ":" + String.join(":", parameters) + "]");
        }
        return String.join(", ", result);
    }

    private static String didYouMean(TypeDescription type, String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (TypeDescription declaring : hierarchy(type)) {
            for (MethodDescription method : declaring.getDeclaredMethods()) {
                if (!method.isMethod()) {
                    continue;
                }
                int distance = method.getName().equalsIgnoreCase(name) ? 0 : distance(method.getName(), name);
                if (distance < bestDistance) {
                    best = method.getName();
                    bestDistance = distance;
                }
            }
        }
        return best != null && bestDistance <= Math.max(1, Math.min(3, name.length() / 3))
                ? " (did you mean " + best + "?)" : "";
    }

    /** Optimal string alignment distance: edits, with a swap of neighbours counting as one. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static Resolution problem(HookSpec spec, String text) {
        return new Resolution(null, "ready hook " + spec + ": " + text);
    }
}
