package io.github.sdagent.agent.isolation;

/**
 * Stands in for java.util.logging.Logger in the agent's copy of JNA (see the package comment). JNA logs its
 * loading steps at FINE and real trouble at WARNING or above; only the latter reaches stderr, as one line.
 */
public final class JnaLogger {

    private final String name;

    private JnaLogger(String name) {
        this.name = name;
    }

    public static JnaLogger getLogger(String name) {
        return new JnaLogger(name);
    }

    public boolean isLoggable(JnaLevel level) {
        return level != null && level.value >= JnaLevel.WARNING.value && level != JnaLevel.OFF;
    }

    public void log(JnaLevel level, String message) {
        log(level, message, (Object[]) null);
    }

    public void log(JnaLevel level, String message, Object parameter) {
        log(level, message, new Object[] {parameter});
    }

    public void log(JnaLevel level, String message, Object[] parameters) {
        if (isLoggable(level)) {
            System.err.println("sd-agent: JNA " + level + " (" + name + "): " + format(message, parameters));
        }
    }

    public void log(JnaLevel level, String message, Throwable thrown) {
        if (isLoggable(level)) {
            System.err.println("sd-agent: JNA " + level + " (" + name + "): " + message + ": " + thrown);
        }
    }

    /** JUL's {0}-style parameters, without java.text (nothing else of JUL's formatting is used by JNA). */
    static String format(String message, Object[] parameters) {
        String text = String.valueOf(message);
        if (parameters != null) {
            for (int i = 0; i < parameters.length; i++) {
                text = text.replace("{" + i + "}", String.valueOf(parameters[i]));
            }
        }
        return text;
    }
}
