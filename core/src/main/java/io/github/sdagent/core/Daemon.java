package io.github.sdagent.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * systemd's service protocol for Java: readiness and status notification (sd_notify), socket activation
 * (sd_listen_fds) and the watchdog (sd_watchdog_enabled), mirroring Python's {@code pystemd.daemon} and
 * libsystemd's sd-daemon, in plain Java with JNA calling libc (no libsystemd needed).
 *
 * <pre>{@code
 * Daemon.notify(false, "READY=1", "STATUS=Serving");          // pystemd: notify(False, "READY=1", ...)
 * Daemon.notify(false, Map.of("status", "Serving"));          // pystemd: notify(False, status="Serving")
 * long usec = Daemon.watchdogEnabled(false);                  // 0 = no watchdog for this process
 * int n = Daemon.listenFds(false);                            // fds LISTEN_FDS_START .. LISTEN_FDS_START+n-1
 * }</pre>
 *
 * <p><b>Not under systemd.</b> When NOTIFY_SOCKET is unset every notify method returns false, and
 * {@link #listenFds}/{@link #watchdogEnabled} return 0 when their variables are unset, without loading
 * any native code. {@link #underSystemd()} and {@link #notifySocket()} answer "are we under systemd?" in pure
 * Java.
 *
 * <p><b>unsetEnvironment.</b> {@code true} makes this JVM behave, after the call, as if the variables the
 * call reads were unset (later calls return false / 0 / an empty list), as sd-daemon's
 * {@code unset_environment} does. Java cannot change its own process environment, so {@link System#getenv}
 * and child processes started later still see the variables; remove them from a {@link ProcessBuilder}'s
 * environment yourself (the sd-agent java agent does that for every child).
 *
 * <p><b>Errors.</b> A send that fails throws {@link IOException} with the errno text and the address. A
 * malformed variable (NOTIFY_SOCKET, LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES, WATCHDOG_USEC, WATCHDOG_PID)
 * throws {@link IllegalStateException} naming the variable, its value and what is allowed. A message that
 * breaks the line rules in {@link Notification} or exceeds {@link Notification#MAX_BYTES} throws
 * {@link IllegalArgumentException}. When native access fails (unsupported platform, or a JDK 22+ JVM that
 * denies native access to JNA) the IOException says so and names the {@code --enable-native-access} flag.
 *
 * <p>All methods are thread-safe. Repeated notifications reuse one cached socket.
 */
public final class Daemon {
    /** The first file descriptor passed by socket activation (SD_LISTEN_FDS_START). */
    public static final int LISTEN_FDS_START = 3;

    static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";
    static final String LISTEN_PID = "LISTEN_PID";
    static final String LISTEN_FDS = "LISTEN_FDS";
    static final String LISTEN_FDNAMES = "LISTEN_FDNAMES";
    static final String WATCHDOG_USEC = "WATCHDOG_USEC";
    static final String WATCHDOG_PID = "WATCHDOG_PID";

    private static final int[] NO_FDS = new int[0];

    /** The last NOTIFY_SOCKET value parsed, so repeated sends do not parse again. */
    private static volatile NotifyAddress lastAddress;
    private static volatile long pid;

    private Daemon() {
    }

    /**
     * Sends a notification (sd_notify). Each argument is one or more {@code KEY=VALUE} lines separated by
     * {@code \n}; the arguments are joined with {@code \n} into one datagram, so
     * {@code notify(false, "READY=1", "STATUS=Serving")} sends {@code READY=1\nSTATUS=Serving}. Every line must
     * be {@code KEY=VALUE} with an upper-case key; CR and NUL are refused (put untrusted text through
     * {@link Notification#status} or the {@link #notify(boolean, Map) Map form}, which sanitise STATUS).
     *
     * @param unsetEnvironment hide NOTIFY_SOCKET from this JVM after this call (see class comment)
     * @param assignments      {@code KEY=VALUE} lines, e.g. {@code "READY=1"}, {@code "STATUS=Serving"}
     * @return false when NOTIFY_SOCKET is not set (not under systemd), true when the message was sent
     * @throws IOException when sending failed (errno text and address in the message)
     * @throws IllegalArgumentException when a line is not {@code KEY=VALUE} or the message exceeds 4096 bytes
     * @throws IllegalStateException when NOTIFY_SOCKET is malformed
     */
    public static boolean notify(boolean unsetEnvironment, String... assignments) throws IOException {
        return send(unsetEnvironment, new Assignments(assignments), NO_FDS);
    }

    /**
     * Sends a notification given as fields, the pystemd keyword style: keys are upper-cased
     * ({@code ready} becomes {@code READY}), values are printed with {@link String#valueOf(Object)}, lines
     * follow the map's iteration order. STATUS values are sanitised (CR, LF, NUL become spaces); other values
     * containing them are refused.
     *
     * @param unsetEnvironment hide NOTIFY_SOCKET from this JVM after this call
     * @param fields           keys (any case) and values, e.g. {@code Map.of("ready", 1, "status", "Serving")}
     * @return false when NOTIFY_SOCKET is not set, true when sent
     * @throws IOException when sending failed
     */
    public static boolean notify(boolean unsetEnvironment, Map<String, ?> fields) throws IOException {
        return send(unsetEnvironment, () -> {
            if (fields.isEmpty()) {
                throw new IllegalArgumentException("notify needs at least one field");
            }
            StringBuilder message = new StringBuilder();
            for (Map.Entry<String, ?> field : fields.entrySet()) {
                if (message.length() > 0) {
                    message.append('\n');
                }
                message.append(Notification.line(field.getKey().toUpperCase(Locale.ROOT), field.getValue()));
            }
            return message.toString();
        }, NO_FDS);
    }

    /**
     * Sends a notification with file descriptors attached as SCM_RIGHTS (sd_pid_notify_with_fds), e.g.
     * {@code notifyWithFds(false, new int[] {fd}, "FDSTORE=1", "FDNAME=http")}. The descriptors stay open in
     * this process; systemd receives duplicates.
     *
     * @param unsetEnvironment hide NOTIFY_SOCKET from this JVM after this call
     * @param fds              open file descriptors to pass (at most 253)
     * @param assignments      {@code KEY=VALUE} lines as in {@link #notify(boolean, String...)}
     * @return false when NOTIFY_SOCKET is not set, true when sent
     * @throws IOException when sending failed (AF_VSOCK cannot carry descriptors)
     */
    public static boolean notifyWithFds(boolean unsetEnvironment, int[] fds, String... assignments)
            throws IOException {
        int[] copy = fds.clone();
        for (int fd : copy) {
            if (fd < 0) {
                throw new IllegalArgumentException("notifyWithFds: invalid file descriptor " + fd + " in "
                        + Arrays.toString(copy));
            }
        }
        return send(unsetEnvironment, new Assignments(assignments), copy);
    }

    /**
     * Waits until systemd has processed every notification sent before (sd_notify_barrier): sends
     * {@code BARRIER=1} with the write end of a new pipe and waits until the receiver closes it.
     *
     * @param timeout how long to wait for systemd
     * @return false when NOTIFY_SOCKET is not set, true once the barrier was passed
     * @throws IOException when sending failed or the timeout expired first
     */
    public static boolean notifyBarrier(Duration timeout) throws IOException {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("notifyBarrier timeout must not be negative: " + timeout);
        }
        NotifyAddress address = notifyAddress();
        if (address == null) {
            return false;
        }
        long millis = timeout.getSeconds() >= Long.MAX_VALUE / 1000 / 2 ? Long.MAX_VALUE / 2_000_000L
                : Math.min(timeout.toMillis(), Long.MAX_VALUE / 2_000_000L);
        return NotifySocket.barrier(address, millis);
    }

    /**
     * The number of file descriptors passed by socket activation (sd_listen_fds); they are
     * {@link #LISTEN_FDS_START} and up. 0 when LISTEN_PID is unset or names another process (the variables
     * were inherited from a parent), or when LISTEN_FDS is unset. Sets FD_CLOEXEC on each descriptor so
     * child processes do not inherit it.
     *
     * @param unsetEnvironment hide LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES after this call; call
     *                         {@link #listenFdNames()} first if you need the names
     * @return the number of descriptors passed to this process
     * @throws IllegalStateException when LISTEN_PID, LISTEN_FDS are malformed or a passed descriptor is not
     *                               open
     */
    public static int listenFds(boolean unsetEnvironment) {
        try {
            int n = listenCount();
            for (int fd = LISTEN_FDS_START; fd < LISTEN_FDS_START + n; fd++) {
                try {
                    NotifySocket.setCloseOnExec(fd);
                } catch (IOException e) {
                    throw new IllegalStateException(LISTEN_FDS + "=" + n + " but " + e.getMessage(), e);
                }
            }
            return n;
        } finally {
            if (unsetEnvironment) {
                Env.hide(LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES);
            }
        }
    }

    /**
     * The names of the socket-activation descriptors (sd_listen_fds_with_names), one per descriptor in order:
     * LISTEN_FDNAMES split on {@code ':'}, or {@code "unknown"} for each when LISTEN_FDNAMES is unset. Empty
     * when no descriptors were passed to this process. Pure Java; changes nothing.
     *
     * @return an unmodifiable list of names
     * @throws IllegalStateException when the number of names differs from LISTEN_FDS, or a variable is
     *                               malformed
     */
    public static List<String> listenFdNames() {
        int n = listenCount();
        if (n == 0) {
            return Collections.emptyList();
        }
        String value = Env.get(LISTEN_FDNAMES);
        if (value == null) {
            return Collections.nCopies(n, "unknown");
        }
        List<String> names = value.isEmpty() ? Collections.<String>emptyList()
                : Arrays.asList(value.split(":", -1));
        if (names.size() != n) {
            throw new IllegalStateException(LISTEN_FDNAMES + "=\"" + Env.shown(value) + "\" names " + names.size()
                    + " descriptor(s) but " + LISTEN_FDS + "=" + n + "; the names must be ':'-separated, one "
                    + "per descriptor");
        }
        return Collections.unmodifiableList(new ArrayList<>(names));
    }

    /**
     * The watchdog timeout in microseconds (sd_watchdog_enabled): WATCHDOG_USEC, or 0 when it is unset or
     * WATCHDOG_PID names another process. Ping with {@code WATCHDOG=1} at about half this interval.
     *
     * @param unsetEnvironment hide WATCHDOG_USEC and WATCHDOG_PID after this call
     * @return the watchdog timeout in microseconds, or 0
     * @throws IllegalStateException when WATCHDOG_USEC is not a positive integer or WATCHDOG_PID is malformed
     */
    public static long watchdogEnabled(boolean unsetEnvironment) {
        try {
            String usecText = Env.get(WATCHDOG_USEC);
            if (usecText == null) {
                return 0;
            }
            long usec = parseDecimal(usecText);
            if (usec <= 0) {
                throw new IllegalStateException(WATCHDOG_USEC + "=\"" + Env.shown(usecText) + "\" is malformed: allowed is "
                        + "a positive whole number of microseconds");
            }
            String pidText = Env.get(WATCHDOG_PID);
            if (pidText != null && parsePid(WATCHDOG_PID, pidText) != currentPid()) {
                return 0;
            }
            return usec;
        } finally {
            if (unsetEnvironment) {
                Env.hide(WATCHDOG_USEC, WATCHDOG_PID);
            }
        }
    }

    /**
     * Whether the system was booted with systemd (sd_booted).
     *
     * @return true when {@code /run/systemd/system/} exists
     */
    public static boolean booted() {
        return Files.isDirectory(Paths.get("/run/systemd/system/"));
    }

    /**
     * The raw NOTIFY_SOCKET value as this JVM sees it, or null when unset or hidden by an earlier
     * {@code unsetEnvironment=true}. Pure Java, loads no native code, never throws.
     *
     * @return the raw value or null
     */
    public static String notifySocket() {
        return Env.get(NOTIFY_SOCKET);
    }

    /**
     * Checks NOTIFY_SOCKET without sending anything, so a malformed value can be reported at start rather than at
     * the first notification. Pure Java, loads no native code, never throws.
     *
     * @return null when NOTIFY_SOCKET is unset or well-formed, else one line naming the value and what is allowed
     */
    public static String notifySocketProblem() {
        try {
            notifyAddress();
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    /**
     * The cheap "are we under systemd?" check: true when NOTIFY_SOCKET is set, or LISTEN_PID is set and
     * names this process (or is malformed, so that the error surfaces in {@link #listenFds}). Pure Java,
     * loads no native code, never throws. WATCHDOG_USEC alone does not count: systemd sets it only together
     * with NOTIFY_SOCKET.
     *
     * @return whether systemd's variables address this process
     */
    public static boolean underSystemd() {
        if (Env.get(NOTIFY_SOCKET) != null) {
            return true;
        }
        String listenPid = Env.get(LISTEN_PID);
        if (listenPid == null) {
            return false;
        }
        long parsed = parseDecimal(listenPid);
        long own = procPid();
        return parsed <= 0 || own <= 0 || parsed == own;
    }

    // ---- internals ----

    /** Builds the message lazily so that it is validated even when not under systemd, before any native code. */
    private interface MessageSource {
        String get();
    }

    /**
     * The message of {@code notify(boolean, String...)}, built only once we know there is a socket. A class, not a
     * lambda: a JVM agent calls this during the application's start-up, when every lambda spun costs CPU.
     */
    private static final class Assignments implements MessageSource {
        private final String[] assignments;

        Assignments(String[] assignments) {
            this.assignments = assignments;
        }

        @Override
        public String get() {
            return Notification.joinAssignments(assignments);
        }
    }

    private static boolean send(boolean unsetEnvironment, MessageSource message, int[] fds) throws IOException {
        try {
            byte[] payload = Notification.encode(message.get());
            NotifyAddress address = notifyAddress();
            if (address == null) {
                return false;
            }
            NotifySocket.get().send(address, payload, fds);
            return true;
        } finally {
            if (unsetEnvironment) {
                Env.hide(NOTIFY_SOCKET);
            }
        }
    }

    /** The parsed NOTIFY_SOCKET, or null when unset. */
    private static NotifyAddress notifyAddress() {
        String raw = Env.get(NOTIFY_SOCKET);
        if (raw == null) {
            return null;
        }
        NotifyAddress cached = lastAddress;
        if (cached != null && cached.text().equals(raw)) {
            return cached;
        }
        NotifyAddress parsed = NotifyAddress.parse(raw);
        lastAddress = parsed;
        return parsed;
    }

    /** Descriptors passed to this process, checked as sd_listen_fds does, without touching them. */
    private static int listenCount() {
        String pidText = Env.get(LISTEN_PID);
        if (pidText == null || parsePid(LISTEN_PID, pidText) != currentPid()) {
            return 0;
        }
        String fdsText = Env.get(LISTEN_FDS);
        if (fdsText == null) {
            return 0;
        }
        long n = parseDecimal(fdsText);
        if (n <= 0 || n > Integer.MAX_VALUE - LISTEN_FDS_START) {
            throw new IllegalStateException(LISTEN_FDS + "=\"" + Env.shown(fdsText) + "\" is malformed: allowed is a "
                    + "positive whole number of descriptors");
        }
        return (int) n;
    }

    private static long parsePid(String variable, String text) {
        long value = parseDecimal(text);
        if (value <= 0 || value > Integer.MAX_VALUE) {
            throw new IllegalStateException(variable + "=\"" + Env.shown(text) + "\" is malformed: allowed is a process "
                    + "id (a positive whole number)");
        }
        return value;
    }

    /** Decimal digits only (no sign, no spaces); -1 when not a number that fits in a long. */
    static long parseDecimal(String text) {
        if (text.isEmpty() || text.length() > 19) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value < 0 ? -1 : value;
    }

    /** This process's pid: /proc/self in pure Java, libc getpid() only when /proc is unavailable. */
    static long currentPid() {
        long own = procPid();
        if (own > 0) {
            return own;
        }
        try {
            own = NotifySocket.nativePid();
        } catch (IOException e) {
            throw new IllegalStateException("cannot determine this process's id: /proc/self is unreadable and "
                    + e.getMessage(), e);
        }
        pid = own;
        return own;
    }

    private static long procPid() {
        long own = pid;
        if (own > 0) {
            return own;
        }
        try {
            own = parseDecimal(Files.readSymbolicLink(Paths.get("/proc/self")).toString());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        if (own > 0) {
            pid = own;
        }
        return own;
    }
}
