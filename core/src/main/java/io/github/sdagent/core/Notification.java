package io.github.sdagent.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An immutable sd_notify message built from typed parts; every method returns a new instance with one more
 * {@code KEY=VALUE} line, in call order. It renders exactly the bytes the string form renders:
 * {@code Notification.ready().status("Serving")} and {@code Daemon.notify(false, "READY=1", "STATUS=Serving")}
 * send the same datagram, {@code READY=1\nSTATUS=Serving}.
 *
 * <pre>{@code
 * Notification.ready().status("Serving on :8080").mainPid(pid).send(false);
 * Notification.stopping().status("Draining connections").send(false);
 * Notification.of(Flag.FDSTORE).fdName("http").sendWithFds(false, fd);
 * }</pre>
 *
 * <p><b>Line breaks and NUL (no key injection).</b> systemd splits a notification into lines at {@code \n}
 * and {@code \r} and drops a whole message that contains NUL. So a value can never contain them: STATUS
 * text is sanitised (each CR, LF and NUL becomes a space, so an exception message still shows in full on
 * one line), and every other value containing one is refused with an {@link IllegalArgumentException}.
 * Messages longer than {@link #MAX_BYTES} UTF-8 bytes are refused, not truncated.
 */
public final class Notification {
    /** systemd reads at most this many bytes of one notification datagram. */
    public static final int MAX_BYTES = 4096;

    /** The assignments whose value is fixed. */
    public enum Flag {
        /** {@code READY=1}: start-up (or reload) finished. */
        READY("READY=1"),
        /** {@code RELOADING=1}: reloading configuration; send with MONOTONIC_USEC (see {@link #reloading()}). */
        RELOADING("RELOADING=1"),
        /** {@code STOPPING=1}: shutting down. */
        STOPPING("STOPPING=1"),
        /** {@code WATCHDOG=1}: keep-alive ping. */
        WATCHDOG("WATCHDOG=1"),
        /** {@code WATCHDOG=trigger}: ask systemd to act as if the watchdog timed out. */
        WATCHDOG_TRIGGER("WATCHDOG=trigger"),
        /** {@code FDSTORE=1}: store the file descriptors sent with this message. */
        FDSTORE("FDSTORE=1"),
        /** {@code FDSTOREREMOVE=1}: remove stored file descriptors named by FDNAME. */
        FDSTOREREMOVE("FDSTOREREMOVE=1"),
        /** {@code FDPOLL=0}: do not poll stored file descriptors for errors. */
        FDPOLL_DISABLED("FDPOLL=0"),
        /** {@code BARRIER=1}: needs a pipe write end; use {@link Daemon#notifyBarrier}. */
        BARRIER("BARRIER=1"),
        /** {@code RESTART_RESET=1}: reset the restart counter. */
        RESTART_RESET("RESTART_RESET=1");

        private final String assignment;

        Flag(String assignment) {
            this.assignment = assignment;
        }

        /**
         * The exact line this flag renders, e.g. {@code READY=1}.
         *
         * @return the line
         */
        public String assignment() {
            return assignment;
        }
    }

    /** Values of {@code NOTIFYACCESS=}. */
    public enum Access {
        /** {@code none}. */
        NONE,
        /** {@code main}: only the main process. */
        MAIN,
        /** {@code exec}: the main process and ExecStartPre/Post etc. processes. */
        EXEC,
        /** {@code all}: every process of the unit. */
        ALL;

        String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String text;

    private Notification(String text) {
        this.text = text;
    }

    /**
     * A message with no lines yet; add some before sending.
     *
     * @return the notification
     */
    public static Notification empty() {
        return new Notification("");
    }

    /**
     * A message made of these flags, in order.
     *
     * @param flags the flags, in order
     * @return the notification
     */
    public static Notification of(Flag... flags) {
        Notification n = empty();
        for (Flag flag : flags) {
            n = n.with(flag);
        }
        return n;
    }

    /**
     * {@code READY=1}.
     *
     * @return the notification
     */
    public static Notification ready() {
        return of(Flag.READY);
    }

    /**
     * {@code STOPPING=1}.
     *
     * @return the notification
     */
    public static Notification stopping() {
        return of(Flag.STOPPING);
    }

    /**
     * {@code WATCHDOG=1}.
     *
     * @return the notification
     */
    public static Notification watchdog() {
        return of(Flag.WATCHDOG);
    }

    /**
     * {@code RELOADING=1} plus {@code MONOTONIC_USEC=} now, as {@code Type=notify-reload} requires. The clock
     * is {@link System#nanoTime()}, which on Linux reads CLOCK_MONOTONIC (checked by a test against
     * clock_gettime).
     *
     * @return the notification
     */
    public static Notification reloading() {
        return of(Flag.RELOADING).monotonicUsec(System.nanoTime() / 1000);
    }

    /**
     * Adds a flag line.
     *
     * @param flag the flag line to add
     * @return a new notification with the line added
     */
    public Notification with(Flag flag) {
        return append(flag.assignment());
    }

    /**
     * {@code STATUS=text}; CR, LF and NUL in the text become spaces.
     *
     * @param text the status text (CR, LF, NUL become spaces)
     * @return a new notification with the line added
     */
    public Notification status(String text) {
        return append(line("STATUS", text));
    }

    /**
     * {@code MAINPID=pid}.
     *
     * @param pid the main process id
     * @return a new notification with the line added
     */
    public Notification mainPid(long pid) {
        return append(line("MAINPID", positive("MAINPID", pid)));
    }

    /**
     * {@code ERRNO=errno}: the service failed with this errno.
     *
     * @param errno the errno number
     * @return a new notification with the line added
     */
    public Notification errno(int errno) {
        return append(line("ERRNO", atLeastZero("ERRNO", errno)));
    }

    /**
     * {@code BUSERROR=name}: the service failed with this D-Bus error name.
     *
     * @param name the name
     * @return a new notification with the line added
     */
    public Notification busError(String name) {
        return append(line("BUSERROR", name));
    }

    /**
     * {@code VARLINKERROR=name}: the service failed with this Varlink error name.
     *
     * @param name the name
     * @return a new notification with the line added
     */
    public Notification varlinkError(String name) {
        return append(line("VARLINKERROR", name));
    }

    /**
     * {@code EXIT_STATUS=status}.
     *
     * @param status the exit status
     * @return a new notification with the line added
     */
    public Notification exitStatus(int status) {
        return append(line("EXIT_STATUS", atLeastZero("EXIT_STATUS", status)));
    }

    /**
     * {@code NOTIFYACCESS=none|main|exec|all}.
     *
     * @param access who may send notifications
     * @return a new notification with the line added
     */
    public Notification notifyAccess(Access access) {
        return append(line("NOTIFYACCESS", access.value()));
    }

    /**
     * {@code MONOTONIC_USEC=usec} (CLOCK_MONOTONIC microseconds).
     *
     * @param usec microseconds
     * @return a new notification with the line added
     */
    public Notification monotonicUsec(long usec) {
        return append(line("MONOTONIC_USEC", atLeastZero("MONOTONIC_USEC", usec)));
    }

    /**
     * {@code WATCHDOG_USEC=usec}: change the watchdog timeout.
     *
     * @param usec microseconds
     * @return a new notification with the line added
     */
    public Notification watchdogUsec(long usec) {
        return append(line("WATCHDOG_USEC", positive("WATCHDOG_USEC", usec)));
    }

    /**
     * {@code EXTEND_TIMEOUT_USEC=usec}: extend the current start/stop/reload timeout.
     *
     * @param usec microseconds
     * @return a new notification with the line added
     */
    public Notification extendTimeoutUsec(long usec) {
        return append(line("EXTEND_TIMEOUT_USEC", positive("EXTEND_TIMEOUT_USEC", usec)));
    }

    /**
     * {@code FDNAME=name} for FDSTORE/FDSTOREREMOVE: at most 255 printable ASCII characters without ':' (the
     * rule systemd applies; other names are refused here rather than ignored there).
     *
     * @param name the name
     * @return a new notification with the line added
     */
    public Notification fdName(String name) {
        boolean valid = name.length() <= 255;
        for (int i = 0; valid && i < name.length(); i++) {
            char c = name.charAt(i);
            valid = c >= ' ' && c < 127 && c != ':';
        }
        if (!valid) {
            throw new IllegalArgumentException("FDNAME \"" + quote(name) + "\" is invalid: allowed are up to "
                    + "255 printable ASCII characters other than ':'");
        }
        return append(line("FDNAME", name));
    }

    /**
     * A custom {@code X_...=value} line (keys systemd itself ignores but logs and tools can read).
     *
     * @param key an X_ key
     * @param value the value (one line)
     * @return a new notification with the line added
     */
    public Notification custom(String key, String value) {
        if (!key.startsWith("X_")) {
            throw new IllegalArgumentException("custom notify key \"" + quote(key) + "\" must start with X_");
        }
        return append(line(key, value));
    }

    /** The message text: the lines joined by {@code \n}, no trailing newline. */
    @Override
    public String toString() {
        return text;
    }

    /**
     * The exact datagram payload (UTF-8).
     *
     * @return the UTF-8 bytes
     */
    public byte[] toBytes() {
        return encode(text);
    }

    /**
     * Sends this message: {@code Daemon.notify(unsetEnvironment, toString())}.
     *
     * @param unsetEnvironment hide NOTIFY_SOCKET after this call
     * @return false when NOTIFY_SOCKET is not set, true when sent
     * @throws IOException when sending failed
     */
    public boolean send(boolean unsetEnvironment) throws IOException {
        return Daemon.notify(unsetEnvironment, text);
    }

    /**
     * Sends this message with file descriptors attached (SCM_RIGHTS), e.g. FDSTORE.
     *
     * @param unsetEnvironment hide NOTIFY_SOCKET after this call
     * @param fds the file descriptors to pass
     * @return false when NOTIFY_SOCKET is not set, true when sent
     * @throws IOException when sending failed
     */
    public boolean sendWithFds(boolean unsetEnvironment, int... fds) throws IOException {
        return Daemon.notifyWithFds(unsetEnvironment, fds, text);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Notification && ((Notification) other).text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    private Notification append(String line) {
        return new Notification(text.isEmpty() ? line : text + "\n" + line);
    }

    private static long positive(String key, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + "=" + value + " is invalid: must be greater than 0");
        }
        return value;
    }

    private static long atLeastZero(String key, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(key + "=" + value + " is invalid: must not be negative");
        }
        return value;
    }

    // ---- the rules shared by the builder, the Map form and the string form of Daemon.notify ----

    /**
     * One {@code KEY=VALUE} line from a key and an untrusted value: STATUS text is sanitised, any other value
     * with CR, LF or NUL is refused.
     */
    static String line(String key, Object value) {
        checkKey(key, key);
        String v = String.valueOf(value);
        if (!hasBreak(v)) {
            return key + "=" + v;
        }
        if (key.equals("STATUS")) {
            return key + "=" + v.replace('\r', ' ').replace('\n', ' ').replace('\0', ' ');
        }
        throw new IllegalArgumentException("notify value for " + key + " contains a line break or NUL (\""
                + quote(v) + "\"), which would start a new KEY=VALUE line; only STATUS text is sanitised "
                + "(line breaks become spaces), other values must be one line");
    }

    /**
     * Joins string-form arguments with {@code \n} after checking that every line is {@code KEY=VALUE}: lines
     * are separated by LF (one trailing LF per argument is dropped), CR and NUL are refused.
     */
    static String joinAssignments(String... assignments) {
        if (assignments.length == 0) {
            throw new IllegalArgumentException("notify needs at least one KEY=VALUE assignment");
        }
        if (assignments.length == 1) {
            return checkAssignment(assignments[0], 1);
        }
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < assignments.length; i++) {
            if (i > 0) {
                joined.append('\n');
            }
            joined.append(checkAssignment(assignments[i], i + 1));
        }
        return joined.toString();
    }

    private static String checkAssignment(String argument, int position) {
        if (argument == null) {
            throw new IllegalArgumentException("notify argument " + position + " is null");
        }
        // Index-based so that the common one-line case (WATCHDOG=1) allocates nothing.
        int length = argument.endsWith("\n") ? argument.length() - 1 : argument.length();
        int start = 0;
        while (true) {
            int end = argument.indexOf('\n', start);
            if (end < 0 || end > length) {
                end = length;
            }
            int eq = argument.indexOf('=', start);
            if (eq <= start || eq >= end) {
                throw new IllegalArgumentException("notify argument " + position + " has a line that is not "
                        + "KEY=VALUE: \"" + quote(argument.substring(start, end)) + "\"");
            }
            if (!isKey(argument, start, eq)) {
                checkKey(argument.substring(start, eq), argument.substring(start, end));
            }
            for (int i = eq + 1; i < end; i++) {
                char c = argument.charAt(i);
                if (c == '\r' || c == '\0') {
                    throw new IllegalArgumentException("notify argument " + position + " contains CR or NUL (\""
                            + quote(argument.substring(start, end)) + "\"); systemd would split or drop the "
                            + "message. Put untrusted text through Notification.status(...) or the Map form, "
                            + "which sanitise STATUS");
                }
            }
            if (end == length) {
                return length == argument.length() ? argument : argument.substring(0, length);
            }
            start = end + 1;
        }
    }

    private static boolean isKey(String text, int start, int end) {
        if (start >= end || (text.charAt(start) >= '0' && text.charAt(start) <= '9')) {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private static void checkKey(String key, String context) {
        if (!isKey(key, 0, key.length())) {
            throw new IllegalArgumentException("notify key \"" + quote(key) + "\" in \"" + quote(context)
                    + "\" is invalid: keys are upper-case letters, digits and '_' (READY, STATUS, X_MY_KEY)");
        }
    }
    /** The UTF-8 payload, refusing what systemd would not read whole. */
    static byte[] encode(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("notify message is " + bytes.length + " bytes (UTF-8); systemd "
                    + "reads at most " + MAX_BYTES + " bytes of one message, so it is refused rather than cut");
        }
        if (bytes.length == 0) {
            throw new IllegalArgumentException("notify message is empty");
        }
        return bytes;
    }

    private static boolean hasBreak(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\n' || c == '\r' || c == '\0') {
                return true;
            }
        }
        return false;
    }

    /** The text with CR, LF, NUL and backslash escaped, for one-line error messages. */
    static String quote(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\0", "\\0");
    }
}
