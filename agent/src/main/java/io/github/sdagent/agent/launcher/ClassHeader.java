package io.github.sdagent.agent.launcher;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Reads the direct interfaces from a class file's header (JVMS 4.1), walking the constant pool only as far as
 * needed: a few microseconds, no parser library. Used by {@link StartGate} while the agent's own code, including
 * its ASM, is still loading.
 */
final class ClassHeader {

    private ClassHeader() {
    }

    /**
     * @param internalNames interface names as {@code a/b/C}
     * @throws RuntimeException (e.g. an index out of bounds) when the bytes are not a class file
     */
    static boolean listsInterface(byte[] classFile, Set<String> internalNames) {
        int count = u2(classFile, 8);
        int[] offsets = new int[count];
        int position = 10;
        for (int index = 1; index < count; index++) {
            offsets[index] = position;
            switch (classFile[position]) {
                case 1: // Utf8
                    position += 3 + u2(classFile, position + 1);
                    break;
                case 5: // Long
                case 6: // Double: take two slots
                    position += 9;
                    index++;
                    break;
                case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18:
                    position += 5;
                    break;
                case 15: // MethodHandle
                    position += 4;
                    break;
                case 7: case 8: case 16: case 19: case 20:
                    position += 3;
                    break;
                default:
                    throw new IllegalArgumentException("constant pool tag " + classFile[position]);
            }
        }
        position += 6; // access flags, this class, super class
        int interfaces = u2(classFile, position);
        for (int i = 0; i < interfaces; i++) {
            int utf8 = offsets[u2(classFile, offsets[u2(classFile, position + 2 + 2 * i)] + 1)];
            String name = new String(classFile, utf8 + 3, u2(classFile, utf8 + 1), StandardCharsets.UTF_8);
            if (internalNames.contains(name)) {
                return true;
            }
        }
        return false;
    }

    private static int u2(byte[] bytes, int at) {
        return (bytes[at] & 0xff) << 8 | bytes[at + 1] & 0xff;
    }
}
