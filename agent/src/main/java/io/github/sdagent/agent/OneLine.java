package io.github.sdagent.agent;

/**
 * Texts that end up in one stderr line or in STATUS=: control characters (newlines included) become spaces, so an
 * exception message can never start a second log line or a second KEY=VALUE line.
 */
public final class OneLine {

    static final int MAX_LENGTH = 400;

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
}
