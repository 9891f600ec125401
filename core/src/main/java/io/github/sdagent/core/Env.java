package io.github.sdagent.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place core reads environment variables. Internal: tests replace the source (so they can point
 * NOTIFY_SOCKET at their own receiver without forking a JVM), and {@code unsetEnvironment=true} hides
 * variables here for the rest of this JVM's life.
 *
 * <p>Java cannot change the real process environment, so hiding is all "unset" can mean inside a JVM: core
 * and everything that asks {@link Daemon} see the variable as absent, while {@link System#getenv} and child
 * processes started later still see the original value (see the README section on child processes).
 */
final class Env {
    /** Where variable values come from; {@code System::getenv} outside tests. */
    interface Source {
        String get(String name);
    }

    /** The process environment; a class, not {@code System::getenv}, for the reason given at Daemon.Assignments. */
    private static final Source PROCESS = new Source() {
        @Override
        public String get(String name) {
            return System.getenv(name);
        }
    };

    private static volatile Source source = PROCESS;
    private static final Set<String> HIDDEN = ConcurrentHashMap.newKeySet();

    private Env() {
    }

    /** The variable's value, or null when it is unset or was hidden by an earlier {@code unsetEnvironment}. */
    static String get(String name) {
        if (!HIDDEN.isEmpty() && HIDDEN.contains(name)) {
            return null;
        }
        return source.get(name);
    }

    /** Makes {@link #get} report these variables as absent from now on. */
    static void hide(String... names) {
        for (String name : names) {
            HIDDEN.add(name);
        }
    }

    /** Test seam: read variables from {@code replacement} and forget everything hidden so far. */
    static void useSource(Source replacement) {
        source = replacement;
        HIDDEN.clear();
    }

    /** Test seam: back to the real environment, nothing hidden. */
    static void reset() {
        useSource(PROCESS);
    }

    /**
     * A variable's value as error messages show it: control characters (line breaks included) escaped as
     * {@code \n} or {@code \\u001b}, so one message stays one line, and shortened past 120 characters, so what is
     * allowed still fits in the line after it.
     */
    static String shown(String value) {
        StringBuilder text = new StringBuilder();
        int i = 0;
        for (; i < value.length() && text.length() < 120; i++) {
            char c = value.charAt(i);
            if (c == '\n') {
                text.append("\\n");
            } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                String hex = Integer.toHexString(c);
                text.append("\\u").append("0000".substring(hex.length())).append(hex);
            } else {
                text.append(c);
            }
        }
        return i < value.length() ? text + "...(" + value.length() + " characters)" : text.toString();
    }
}
