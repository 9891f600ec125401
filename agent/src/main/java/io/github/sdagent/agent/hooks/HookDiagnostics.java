package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.hooks.HookEngine.Hook;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The end-of-grace-period report of hooks whose class never loaded, with did-you-mean suggestions. Runs on the
 * hooks' daemon thread after the grace period, so this class never loads on the application's start path.
 */
final class HookDiagnostics {

    private static final String BRIDGE_PACKAGE = "io.github.sdagent.agent.bridge.";

    private HookDiagnostics() {
    }

    /** Reports each hook whose class did not load within the grace period, suggesting similar loaded classes. */
    static void reportNeverLoaded(Instrumentation inst, List<Hook> added, long graceMillis) {
        Class<?>[] loaded = null;
        for (Hook hook : added) {
            if (hook.seen) {
                continue;
            }
            if (loaded == null) {
                loaded = inst.getAllLoadedClasses();
            }
            hook.report("ready hook " + hook.spec + ": class " + hook.spec.className() + " was not loaded within "
                    + graceMillis + " ms" + similarClasses(hook.spec.className(), loaded, agentLoader()));
        }
    }

    /** The agent's own class loader; null when the agent shares the application's (the unit tests). */
    private static ClassLoader agentLoader() {
        ClassLoader own = HookDiagnostics.class.getClassLoader();
        return own == ClassLoader.getSystemClassLoader() ? null : own;
    }

    /**
     * Loaded classes whose simple name equals the wanted one, or whose name is a typo away. Never the agent's own
     * (its loader's classes: JNA, ASM, the agent; and its bootstrap bridge): the application cannot even see them.
     */
    static String similarClasses(String wanted, Class<?>[] loaded, ClassLoader agentLoader) {
        String simple = wanted.substring(Math.max(wanted.lastIndexOf('.'), wanted.lastIndexOf('$')) + 1);
        Set<String> similar = new TreeSet<>();
        for (Class<?> type : loaded) {
            String name = type.getName();
            if (type.getClassLoader() == agentLoader && agentLoader != null || name.startsWith(BRIDGE_PACKAGE)) {
                continue;
            }
            String typeSimple = name.substring(Math.max(name.lastIndexOf('.'), name.lastIndexOf('$')) + 1);
            if (typeSimple.equalsIgnoreCase(simple) || Math.abs(name.length() - wanted.length()) <= 2
                    && MethodResolver.distance(name, wanted) <= 2) {
                similar.add(name);
            }
        }
        if (similar.isEmpty()) {
            return " (check the name: nested classes are written Outer$Inner)";
        }
        List<String> shown = new ArrayList<>(similar).subList(0, Math.min(3, similar.size()));
        return " (did you mean " + String.join(" or ", shown) + "?)";
    }
}
