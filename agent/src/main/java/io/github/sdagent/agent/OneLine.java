package io.github.sdagent.agent;

/**
 * Texts that end up in one stderr line or in STATUS=: control characters (newlines included) become spaces, so an
 * exception message can never start a second log line or a second KEY=VALUE line.
 */
public final class OneLine {

    public static final int MAX_LENGTH = 1000; // room for a configuration error: key, value, source, what is allowed

    private OneLine() {
    }

    public static String of(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder line = new StringBuilder(Math.min(text.length(), MAX_LENGTH + 3));
        boolean lastSpace = false;
        int i = 0;
        for (; i < text.length() && line.length() < MAX_LENGTH; i++) {
            char c = text.charAt(i);
            boolean space = Character.isISOControl(c) || Character.isWhitespace(c);
            if (space) {
                if (!lastSpace && line.length() > 0) {
                    line.append(' ');
                }
            } else {
                line.append(c);
            }
            lastSpace = space;
        }
        String result = line.toString().trim();
        return i < text.length() ? result + "..." : result;
    }

    /** {@code java.net.BindException: Address already in use}, causes left out. */
    public static String summary(Throwable failure) {
        String message = failure.getMessage();
        return of(message == null ? failure.getClass().getName() : failure.getClass().getName() + ": " + message);
    }

    /** The longest value an error message shows, so the line still has room for what is allowed. */
    static final int MAX_SHOWN = 60;

    /**
     * A user-given value as error messages show it: control characters escaped ({@code \n}, {@code \\u001b}) so the
     * operator sees what was really given, and shortened past {@link #MAX_SHOWN} characters.
     */
    public static String shown(String value) {
        StringBuilder text = new StringBuilder();
        int i = 0;
        for (; i < value.length() && text.length() < MAX_SHOWN; i++) {
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
