package io.github.sdagent.agent.ready;

import io.github.sdagent.agent.hooks.HookSpec;
import io.github.sdagent.agent.hooks.HookEngine;
import java.util.Collections;
import java.util.List;

/**
 * Recognises relocated (shaded) copies of preset classes, such as
 * {@code com/acme/shaded/org/eclipse/jetty/server/Server}, with one cheap test per loaded class: the hash of the
 * name's last segment (after the last '/'), computed in place without allocating, looked up in a small open
 * addressing table. Only on a hit (a class whose simple name is Server, Undertow, ...) is the whole suffix compared.
 * The exact (unrelocated) names never get here: the hook engine finds those in its own name set first.
 */
public final class ShadedNames implements HookEngine.NameMatcher {

    private static final int SLOTS = 64; // a power of two, well above the number of presets
    private final int[] hashes = new int[SLOTS];
    private final Preset[][] presets = new Preset[SLOTS][];
    private final String[][] suffixes = new String[SLOTS][];

    public ShadedNames(List<Preset> table) {
        for (Preset preset : table) {
            String internal = preset.className.replace('.', '/');
            int hash = tailHash(internal);
            int slot = slotFor(hash);
            presets[slot] = append(presets[slot], preset, new Preset[0]);
            suffixes[slot] = append(suffixes[slot], "/" + internal, new String[0]);
            hashes[slot] = hash;
        }
    }

    /** The slot holding {@code hash}, or the empty slot where it goes (linear probing). */
    private int slotFor(int hash) {
        int slot = hash & (SLOTS - 1);
        while (presets[slot] != null && hashes[slot] != hash) {
            slot = (slot + 1) & (SLOTS - 1);
        }
        return slot;
    }

    @Override
    public List<HookSpec> specsFor(String internalName) {
        Preset preset = match(internalName);
        return preset == null ? null
                : Collections.singletonList(preset.spec(internalName.replace('/', '.')));
    }

    /** The preset whose class this (relocated) name is a copy of, or null. This is the per-class cost. */
    Preset match(String internalName) {
        int hash = tailHash(internalName);
        int slot = hash & (SLOTS - 1);
        while (presets[slot] != null) {
            if (hashes[slot] == hash) {
                String[] candidates = suffixes[slot];
                for (int i = 0; i < candidates.length; i++) {
                    String suffix = candidates[i];
                    if (internalName.length() > suffix.length() && internalName.endsWith(suffix)) {
                        return presets[slot][i];
                    }
                }
                return null;
            }
            slot = (slot + 1) & (SLOTS - 1);
        }
        return null;
    }

    /** String.hashCode of the part after the last '/', without creating that string. */
    static int tailHash(String internalName) {
        int start = internalName.lastIndexOf('/') + 1;
        int hash = 0;
        for (int i = start; i < internalName.length(); i++) {
            hash = 31 * hash + internalName.charAt(i);
        }
        return hash;
    }

    private static <T> T[] append(T[] array, T element, T[] empty) {
        T[] base = array == null ? empty : array;
        T[] grown = java.util.Arrays.copyOf(base, base.length + 1);
        grown[base.length] = element;
        return grown;
    }
}
