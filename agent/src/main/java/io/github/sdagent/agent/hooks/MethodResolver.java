package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.hooks.HookSpec;
import io.github.sdagent.agent.hooks.ClassInfo.MethodInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The overload rules of a {@code ready=} spec, applied to class files:
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
        final MethodInfo method;
        final String problem;

        private Resolution(MethodInfo method, String problem) {
            this.method = method;
            this.problem = problem;
        }
    }

    private MethodResolver() {
    }

    static Resolution resolve(ClassInfo type, ClassInfo.Source source, HookSpec spec) {
        List<String> wanted = spec.parameterTypes();
        // The usual answer is in the class chain: stop there, without reading every interface's class file.
        Map<List<String>, MethodInfo> candidates = new LinkedHashMap<>();
        for (ClassInfo declaring = type; declaring != null; declaring = superclass(declaring, source)) {
            for (MethodInfo method : declaring.methods) {
                if (method.name.equals(spec.methodName()) && !method.is(Opcodes.ACC_BRIDGE)) {
                    List<String> parameters = method.parameterNames();
                    if (wanted == null ? parameters.isEmpty() : parametersMatch(method, wanted)) {
                        return new Resolution(method, null); // the most specific match
                    }
                    if (!candidates.containsKey(parameters)) {
                        candidates.put(parameters, method);
                    }
                }
            }
        }
        List<ClassInfo> hierarchy = hierarchy(type, source);
        List<MethodInfo> all = candidates(hierarchy, spec.methodName());
        if (all.isEmpty()) {
            return problem(spec, "no method " + spec.methodName() + " in " + type.name
                    + " or its supertypes" + didYouMean(hierarchy, spec.methodName()));
        }
        List<MethodInfo> matching = new ArrayList<>();
        for (MethodInfo candidate : all) {
            if (wanted == null ? candidate.parameterNames().isEmpty() : parametersMatch(candidate, wanted)) {
                matching.add(candidate);
            }
        }
        if (wanted == null && matching.isEmpty()) {
            matching = all;
        }
        if (matching.size() == 1) {
            return new Resolution(matching.get(0), null);
        }
        if (matching.isEmpty()) {
            return problem(spec, "no overload of " + spec.methodName() + " in " + type.name
                    + " takes (" + String.join(",", wanted) + "); there are: " + spellings(type, all));
        }
        return problem(spec, matching.size() + " overloads match; name one: " + spellings(type, matching));
    }

    private static ClassInfo superclass(ClassInfo type, ClassInfo.Source source) {
        return type.superName == null ? null : source.find(type.superName);
    }

    /** The method that runs when {@code method} is called on an instance of the concrete class {@code runtime}. */
    static MethodInfo implementation(ClassInfo runtime, ClassInfo.Source source, MethodInfo method) {
        if (method.is(Opcodes.ACC_PRIVATE) || method.is(Opcodes.ACC_STATIC)) {
            return method;
        }
        List<String> parameters = method.parameterNames();
        for (ClassInfo type = runtime; type != null; type = superclass(type, source)) {
            MethodInfo found = concrete(type, method.name, parameters);
            if (found != null) {
                return found;
            }
        }
        for (ClassInfo type : hierarchy(runtime, source)) {
            MethodInfo found = type.isInterface ? concrete(type, method.name, parameters) : null;
            if (found != null) {
                return found; // a default method
            }
        }
        return null;
    }

    private static MethodInfo concrete(ClassInfo type, String name, List<String> parameters) {
        for (MethodInfo candidate : type.methods) {
            if (candidate.name.equals(name) && !candidate.is(Opcodes.ACC_BRIDGE)
                    && !candidate.is(Opcodes.ACC_ABSTRACT) && !candidate.is(Opcodes.ACC_STATIC)
                    && candidate.parameterNames().equals(parameters)) {
                return candidate;
            }
        }
        return null;
    }

    /** A spec type matches a binary name ({@code a.B$C}), a source name ({@code a.B.C}) or, unqualified, a simple name. */
    private static boolean parametersMatch(MethodInfo method, List<String> wanted) {
        List<String> actual = method.parameterNames();
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
    private static List<MethodInfo> candidates(List<ClassInfo> hierarchy, String name) {
        Map<List<String>, MethodInfo> byParameters = new LinkedHashMap<>();
        for (ClassInfo declaring : hierarchy) {
            for (MethodInfo method : declaring.methods) {
                if (method.name.equals(name) && !method.is(Opcodes.ACC_BRIDGE)) {
                    List<String> parameters = method.parameterNames();
                    if (!byParameters.containsKey(parameters)) {
                        byParameters.put(parameters, method);
                    }
                }
            }
        }
        return new ArrayList<>(byParameters.values());
    }

    /**
     * The class, its superclasses (nearest first), then all their interfaces (breadth first). A supertype whose
     * class file cannot be found is skipped: resolution works with what it can see.
     */
    static List<ClassInfo> hierarchy(ClassInfo type, ClassInfo.Source source) {
        List<ClassInfo> classes = new ArrayList<>();
        for (ClassInfo current = type; current != null;
             current = current.superName == null ? null : source.find(current.superName)) {
            classes.add(current);
        }
        List<ClassInfo> result = new ArrayList<>(classes);
        Set<String> seen = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>();
        for (ClassInfo declaring : classes) {
            pending.addAll(declaring.interfaces);
        }
        while (!pending.isEmpty()) {
            String name = pending.removeFirst();
            ClassInfo itf = seen.add(name) ? source.find(name) : null;
            if (itf != null) {
                result.add(itf);
                pending.addAll(itf.interfaces);
            }
        }
        return result;
    }

    private static String spellings(ClassInfo type, List<MethodInfo> methods) {
        List<String> result = new ArrayList<>();
        for (MethodInfo method : methods) {
            List<String> parameters = method.parameterNames();
            String prefix = type.name + "#" + method.name;
            result.add(prefix + "(" + String.join(",", parameters) + ")"
                    + " [unquoted: " + prefix + ":" + String.join(":", parameters) + "]");
        }
        return String.join(", ", result);
    }

    private static String didYouMean(List<ClassInfo> hierarchy, String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (ClassInfo declaring : hierarchy) {
            for (MethodInfo method : declaring.methods) {
                int distance = method.name.equalsIgnoreCase(name) ? 0 : distance(method.name, name);
                if (distance < bestDistance) {
                    best = method.name;
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
