package io.github.sdagent.agent.ready;

import java.util.List;

/**
 * {@code ready=listen:8080} or {@code listen:127.0.0.1:8080}: met once this JVM has a socket listening on that port
 * (and address, when given). Fed by socket activation's listener registry ({@link #listenerUp}); an ephemeral bind
 * counts too, by the port the kernel chose. A wildcard listener (0.0.0.0 or ::) satisfies any address.
 */
public final class ListenCondition {

    private final String host; // null: any address
    private final int port;

    private ListenCondition(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** {@code 8080}, {@code 127.0.0.1:8080}, {@code [::1]:8080}. @throws IllegalArgumentException naming what is allowed */
    public static ListenCondition parse(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? null : text.substring(0, colon).replace("[", "").replace("]", "");
        String portText = text.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535 || host != null && host.isEmpty()) {
            throw new IllegalArgumentException("listen:" + io.github.sdagent.agent.OneLine.shown(text) + " is not PORT or HOST:PORT (port 1-65535)");
        }
        return new ListenCondition(host, port);
    }

    /** Whether an address was given ({@code listen:HOST:PORT}). */
    boolean hasAddress() {
        return host != null;
    }

    public boolean matches(String listenerHost, int listenerPort) {
        if (listenerPort != port) {
            return false;
        }
        return host == null || listenerHost.equals(host) || listenerHost.equals("0.0.0.0") || listenerHost.equals("::");
    }

    /** Whether every condition is met by one of the listeners ({@code host:port} texts). */
    public static boolean allMet(List<ListenCondition> conditions, List<String[]> listeners) {
        for (ListenCondition condition : conditions) {
            boolean met = false;
            for (String[] listener : listeners) {
                met |= condition.matches(listener[0], Integer.parseInt(listener[1]));
            }
            if (!met) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "listen:" + (host == null ? "" : host.indexOf(':') >= 0 ? "[" + host + "]:" : host + ":") + port;
    }
}
