package io.github.sdagent.agent.activation;

import io.github.sdagent.agent.OneLine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code sockets=} option: {@code auto} (default: an inherited socket serves the binds to its port),
 * {@code off} (leave every bind alone), or {@code name:port} pairs joined with '+' (the LISTEN_FDNAMES name, i.e.
 * the socket unit's FileDescriptorName=, serves binds to that port, whatever its own address).
 */
public final class SocketMapping {

    public static final SocketMapping AUTO = new SocketMapping(true, Collections.<String, Integer>emptyMap());
    public static final SocketMapping OFF = new SocketMapping(false, Collections.<String, Integer>emptyMap());

    private final boolean enabled;
    private final Map<String, Integer> portsByName;

    private SocketMapping(boolean enabled, Map<String, Integer> portsByName) {
        this.enabled = enabled;
        this.portsByName = portsByName;
    }

    /** @throws IllegalArgumentException with what is wrong (the caller names the option and what is allowed) */
    public static SocketMapping parse(String text) {
        String trimmed = text.trim();
        if (trimmed.equalsIgnoreCase("auto") || trimmed.equalsIgnoreCase("on")) {
            return AUTO;
        }
        if (trimmed.equalsIgnoreCase("off")) {
            return OFF;
        }
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String pair : trimmed.split("\\+", -1)) {
            int colon = pair.lastIndexOf(':');
            String name = colon < 0 ? "" : pair.substring(0, colon).trim();
            String port = colon < 0 ? "" : pair.substring(colon + 1).trim();
            if (name.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1
                    || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException("'" + OneLine.shown(pair.trim()) + "' is not name:port (port 1-65535)");
            }
            if (ports.put(name, Integer.parseInt(port)) != null) {
                throw new IllegalArgumentException("socket name '" + name + "' is mapped twice");
            }
        }
        return new SocketMapping(true, Collections.unmodifiableMap(ports));
    }

    public boolean enabled() {
        return enabled;
    }

    /** The port mapped to this LISTEN_FDNAMES name, or null when the name is not mapped (port matching applies). */
    Integer portFor(String name) {
        return portsByName.get(name);
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "off";
        }
        if (portsByName.isEmpty()) {
            return "auto";
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Integer> entry : portsByName.entrySet()) {
            text.append(text.length() == 0 ? "" : "+").append(entry.getKey()).append(':').append(entry.getValue());
        }
        return text.toString();
    }
}
