package io.github.sdagent.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Property-based tests (issue 15) for the variables systemd hands a service: NOTIFY_SOCKET, LISTEN_PID/LISTEN_FDS/
 * LISTEN_FDNAMES and WATCHDOG_USEC/WATCHDOG_PID, each with thousands of generated values per run (see {@link Fuzz}
 * for the seed). Properties: only the documented IllegalStateException escapes; its message is one line that names
 * the variable, shows the value (escaped, shortened) and says what is allowed; good values round-trip.
 */
class EnvironmentPropertyTest extends TestEnvironment {

    private static final String OWN_PID = Long.toString(ProcessHandle.current().pid());
    private static final String[] ADDRESS_TOKENS = {"/run/user/0/systemd/notify", "/", "@", "@sd", "vsock:", "vsock",
        "vsock-stream:", "vsock-dgram:", "vsock-seqpacket:", "hypervisor", "local", "host", ":", "2:", "4294967294",
        "4294967295", "any", "/tmp/x.sock", "a", "vsock-"};
    private static final String[] NUMBER_TOKENS = {"0", "1", "2", "3", OWN_PID, OWN_PID, "1000000", "30000000",
        "9223372036854775807", "9223372036854775808", "2147483647", "2147483648", "2147483644", "-", "+", " "};
    private static final String[] NAME_TOKENS = {"web", "admin", ":", "::", "unknown", "stored", "a:b", ""};

    /** The message rules every variable's error follows. */
    private static String messageProblem(IllegalStateException e, String variable, String value) {
        String message = e.getMessage();
        String line = Fuzz.lineProblem(message);
        if (line != null) {
            return line;
        }
        if (!message.contains(variable + "=")) {
            return "does not name " + variable + ": " + message;
        }
        if (value != null && !message.contains(Env.shown(value))) {
            return "does not show the value " + Fuzz.escaped(Env.shown(value)) + ": " + message;
        }
        if (!message.contains("allowed") && !message.contains("must be")) {
            return "does not say what is allowed: " + message;
        }
        if (message.length() > 600) {
            return "message is " + message.length() + " characters long";
        }
        return null;
    }

    @Test
    void notifySocketValuesParseOrSayWhatIsAllowed() {
        Fuzz.check("NOTIFY_SOCKET", Fuzz::next, ADDRESS_TOKENS, "/@:-.0129 ", value -> {
            NotifyAddress address;
            try {
                address = NotifyAddress.parse(value);
            } catch (IllegalStateException e) {
                return messageProblem(e, "NOTIFY_SOCKET", value);
            }
            if (!address.text().equals(value)) {
                return "parsed as " + address.text();
            }
            int length = address.sockaddrLength();
            return length < 3 || length > 110 ? "sockaddr of " + length + " bytes" : null;
        });
    }

    @Test
    void watchdogVariablesGiveTheTimeoutZeroOrSayWhatIsAllowed() {
        Fuzz.check("WATCHDOG_USEC/WATCHDOG_PID", Fuzz::next, NUMBER_TOKENS, "0123456789 -+", usec -> {
            env.clear();
            env.put("WATCHDOG_USEC", usec);
            String pid = pidFor(usec);
            if (pid != null) {
                env.put("WATCHDOG_PID", pid);
            }
            long result;
            try {
                result = Daemon.watchdogEnabled(false);
            } catch (IllegalStateException e) {
                boolean usecBad = Daemon.parseDecimal(usec) <= 0;
                return messageProblem(e, usecBad ? "WATCHDOG_USEC" : "WATCHDOG_PID", usecBad ? usec : pid);
            }
            long expected = pid == null || Daemon.parseDecimal(pid) == Long.parseLong(OWN_PID) ? Daemon.parseDecimal(usec) : 0;
            return result == expected ? null : "gave " + result + ", expected " + expected + " (WATCHDOG_PID=" + pid + ")";
        });
    }

    /** WATCHDOG_PID/LISTEN_PID for a generated value: this process, another, absent or garbage, derived from it. */
    private static String pidFor(String value) {
        switch (Math.abs(value.hashCode() % 4)) {
            case 0: return OWN_PID;
            case 1: return null;
            case 2: return "1";
            default: return value.isEmpty() ? "" : value.substring(0, value.length() / 2);
        }
    }

    @Test
    void listenVariablesGiveTheNamesOrSayWhatIsAllowed() {
        Fuzz.check("LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES", fuzz -> new String[] {
            fuzz.nextInt(3) == 0 ? fuzz.next() : OWN_PID, fuzz.next(), fuzz.nextInt(3) == 0 ? null : names(fuzz)},
                NUMBER_TOKENS, "0123456789:", input -> {
            env.clear();
            env.put("LISTEN_PID", input[0]);
            env.put("LISTEN_FDS", input[1]);
            if (input[2] != null) {
                env.put("LISTEN_FDNAMES", input[2]);
            }
            List<String> names;
            try {
                names = Daemon.listenFdNames();
                assertEquals(names.size(), Daemon.listenFds(false), "listenFds and listenFdNames disagree");
            } catch (IllegalStateException e) {
                String variable = Daemon.parseDecimal(input[0]) <= 0 || Daemon.parseDecimal(input[0]) > Integer.MAX_VALUE
                        ? "LISTEN_PID" : e.getMessage().startsWith("LISTEN_FDNAMES") ? "LISTEN_FDNAMES" : "LISTEN_FDS";
                if (e.getMessage().contains(" but cannot set FD_CLOEXEC on fd ")) {
                    return Fuzz.lineProblem(e.getMessage()); // more descriptors announced than are open
                }
                String value = variable.equals("LISTEN_PID") ? input[0] : variable.equals("LISTEN_FDS") ? input[1] : input[2];
                return messageProblem(e, variable, value);
            }
            if (Daemon.parseDecimal(input[0]) != Long.parseLong(OWN_PID)) { // "0328" is pid 328, as for libsystemd
                return names.isEmpty() ? null : "names for another process: " + names;
            }
            if (names.isEmpty()) {
                return null;
            }
            long count = Daemon.parseDecimal(input[1]);
            if (names.size() != count) {
                return names.size() + " names for LISTEN_FDS=" + input[1];
            }
            return input[2] == null || String.join(":", names).equals(input[2]) ? null : "names do not round-trip: " + names;
        });
    }

    private static String names(Fuzz fuzz) {
        StringBuilder names = new StringBuilder();
        for (int i = fuzz.nextInt(4); i >= 0; i--) {
            names.append(names.length() == 0 ? "" : ":").append(fuzz.nextBoolean() ? fuzz.pick(NAME_TOKENS) : fuzz.next());
        }
        return names.toString();
    }

    @Test
    void underSystemdNeverThrows() {
        Fuzz.check("underSystemd", Fuzz::next, NUMBER_TOKENS, "0123456789", value -> {
            env.clear();
            env.put("LISTEN_PID", value);
            Daemon.underSystemd();
            return null;
        });
    }
}
