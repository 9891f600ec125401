package io.github.sdagent.agent.activation;

import io.github.sdagent.core.Sockets;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The socket options an application set on its own socket before binding, carried over to the inherited socket that
 * replaces it at the bind. Without the agent these options would hold on the application's listener (and, for most,
 * on every connection accepted from it); an option set after the bind lands on the inherited socket anyway, so the
 * order of {@code setOption} and {@code bind} in the application must not matter.
 *
 * <p>"Set by the application" means: its value differs from a new socket's of the same family and type. Options
 * the application left alone keep the inherited socket's values (the socket unit's {@code ReceiveBuffer=},
 * {@code KeepAlive=}, {@code NoDelay=}, {@code DeferAcceptSec=}...). Options that only act at bind or listen time
 * are not carried: {@code SO_REUSEADDR} and {@code SO_REUSEPORT} (the socket is bound already: use
 * {@code ReusePort=} in the unit), the listen backlog (the unit's {@code Backlog=}), {@code IPV6_V6ONLY} (the
 * unit's {@code BindIPv6Only=}); nor IP_TOS/IPV6_TCLASS (they depend on the address family, which may differ).
 */
final class CarriedOptions {

    private static final int SOL_SOCKET = 1;
    private static final int IPPROTO_TCP = 6;

    private static final String[] NAMES = {"SO_RCVBUF", "SO_SNDBUF", "SO_KEEPALIVE", "SO_BROADCAST", "SO_PRIORITY",
        "TCP_NODELAY", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "TCP_DEFER_ACCEPT", "TCP_USER_TIMEOUT",
        "TCP_FASTOPEN"};
    private static final int[] LEVELS = {SOL_SOCKET, SOL_SOCKET, SOL_SOCKET, SOL_SOCKET, SOL_SOCKET,
        IPPROTO_TCP, IPPROTO_TCP, IPPROTO_TCP, IPPROTO_TCP, IPPROTO_TCP, IPPROTO_TCP, IPPROTO_TCP};
    private static final int[] OPTIONS = {8, 7, 9, 6, 12, 1, 4, 5, 6, 9, 18, 23};
    /** Linux reports SO_RCVBUF/SO_SNDBUF doubled (its bookkeeping overhead): set half of what was read. */
    private static final int DOUBLED = 2;

    private final List<Integer> which = new ArrayList<>();
    private final List<Integer> values = new ArrayList<>();

    private CarriedOptions() {
    }

    /** Reads, before the dup2, the options of {@code fd} that differ from a new socket's. */
    static CarriedOptions read(int fd) throws IOException {
        CarriedOptions carried = new CarriedOptions();
        int type = Sockets.type(fd);
        int fresh = Sockets.openSocket(Sockets.family(fd), type);
        try {
            for (int i = 0; i < NAMES.length; i++) {
                if (LEVELS[i] == IPPROTO_TCP && type != Sockets.SOCK_STREAM) {
                    continue;
                }
                int value = Sockets.intOption(fd, LEVELS[i], OPTIONS[i]);
                if (value != Sockets.intOption(fresh, LEVELS[i], OPTIONS[i])) {
                    carried.which.add(i);
                    carried.values.add(i < DOUBLED ? value / 2 : value);
                }
            }
        } finally {
            Sockets.close(fresh);
        }
        return carried;
    }

    boolean isEmpty() {
        return which.isEmpty();
    }

    /** Sets them on {@code fd} (now the inherited socket); what was set, e.g. {@code SO_RCVBUF=100000}. */
    String applyTo(int fd) throws IOException {
        StringBuilder applied = new StringBuilder();
        for (int k = 0; k < which.size(); k++) {
            int i = which.get(k);
            Sockets.setIntOption(fd, LEVELS[i], OPTIONS[i], values.get(k));
            applied.append(k == 0 ? "" : ", ").append(NAMES[i]).append('=').append(values.get(k));
        }
        return applied.toString();
    }
}
