package io.github.sdagent.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A parsed NOTIFY_SOCKET value: the exact {@code sockaddr} bytes the kernel gets, built in pure Java so
 * that a malformed value is reported before any native code is loaded.
 *
 * <p>Accepted forms, as in libsystemd: an absolute path; {@code @name} (abstract namespace: the {@code @}
 * becomes a NUL byte and the address length counts only the real name, no padding); and
 * {@code vsock:CID:PORT}, {@code vsock-stream:}, {@code vsock-dgram:}, {@code vsock-seqpacket:} with a
 * numeric CID or {@code hypervisor}, {@code local}, {@code host}.
 */
final class NotifyAddress {
    static final int AF_UNIX = 1;
    static final int AF_VSOCK = 40;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_SEQPACKET = 5;
    /** Socket type for {@code vsock:}: datagram first, falling back like libsystemd does. */
    static final int SOCK_DEFAULT = 0;

    /** sizeof(sun_path) on Linux; a path needs room for its NUL terminator. */
    private static final int SUN_PATH_MAX = 108;
    private static final int SA_FAMILY_SIZE = 2;
    private static final long UINT32_MAX = 0xFFFF_FFFFL;
    private static final String ALLOWED = "allowed: an absolute path (/run/...), @abstract-name, or "
            + "vsock:CID:PORT (also vsock-stream:, vsock-dgram:, vsock-seqpacket:; CID a number or "
            + "hypervisor/local/host)";

    private final String text;
    private final int family;
    private final int socketType;
    private final long cid;
    private final long port;
    private final byte[] sockaddr;

    private NotifyAddress(String text, int family, int socketType, long cid, long port, byte[] sockaddr) {
        this.text = text;
        this.family = family;
        this.socketType = socketType;
        this.cid = cid;
        this.port = port;
        this.sockaddr = sockaddr;
    }

    /**
     * Parses a NOTIFY_SOCKET value.
     *
     * @throws IllegalStateException naming the variable, the value and the allowed forms
     */
    static NotifyAddress parse(String value) {
        if (value.startsWith("/")) {
            byte[] path = value.getBytes(StandardCharsets.UTF_8);
            if (path.length >= SUN_PATH_MAX) {
                throw malformed(value, "the path is " + path.length + " bytes long, the limit is "
                        + (SUN_PATH_MAX - 1));
            }
            return unix(value, path, 0, path.length + 1);
        }
        if (value.startsWith("@")) {
            byte[] name = value.substring(1).getBytes(StandardCharsets.UTF_8);
            if (name.length == 0) {
                throw malformed(value, "the abstract socket name after '@' is empty");
            }
            if (name.length > SUN_PATH_MAX - 1) {
                throw malformed(value, "the abstract name is " + name.length + " bytes long, the limit is "
                        + (SUN_PATH_MAX - 1));
            }
            return unix(value, name, 1, name.length + 1);
        }
        int colon = value.indexOf(':');
        int type = colon < 0 ? -1 : vsockType(value.substring(0, colon));
        if (type < 0) {
            throw malformed(value, value.isEmpty() ? "the value is empty" : "not an address");
        }
        String rest = value.substring(colon + 1);
        int second = rest.indexOf(':');
        if (second < 0) {
            throw malformed(value, "a vsock address needs CID:PORT");
        }
        long cid = vsockCid(value, rest.substring(0, second));
        long port = unsigned32(rest.substring(second + 1));
        if (port < 0 || port == UINT32_MAX) {
            throw malformed(value, "the vsock port must be a number from 0 to 4294967294");
        }
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_VSOCK).putShort((short) 0).putInt((int) port).putInt((int) cid);
        return new NotifyAddress(value, AF_VSOCK, type, cid, port, b.array());
    }

    private static NotifyAddress unix(String value, byte[] name, int nameOffset, int sunPathLength) {
        byte[] sockaddr = new byte[SA_FAMILY_SIZE + sunPathLength];
        ByteBuffer.wrap(sockaddr).order(ByteOrder.nativeOrder()).putShort((short) AF_UNIX);
        System.arraycopy(name, 0, sockaddr, SA_FAMILY_SIZE + nameOffset, name.length);
        return new NotifyAddress(value, AF_UNIX, SOCK_DGRAM, -1, -1, sockaddr);
    }

    private static int vsockType(String scheme) {
        switch (scheme) {
            case "vsock":
                return SOCK_DEFAULT;
            case "vsock-dgram":
                return SOCK_DGRAM;
            case "vsock-stream":
                return SOCK_STREAM;
            case "vsock-seqpacket":
                return SOCK_SEQPACKET;
            default:
                return -1;
        }
    }

    private static long vsockCid(String value, String cid) {
        switch (cid) {
            case "hypervisor":
                return 0;
            case "local":
                return 1;
            case "host":
                return 2;
            default:
                long parsed = unsigned32(cid);
                if (parsed < 0 || parsed == UINT32_MAX) {
                    throw malformed(value, "the vsock CID must be a specific number from 0 to 4294967294 "
                            + "or hypervisor/local/host (no 'any')");
                }
                return parsed;
        }
    }

    /** Decimal digits only (no sign, no spaces), at most 2^32-1; -1 when not that. */
    private static long unsigned32(String digits) {
        long value = Daemon.parseDecimal(digits);
        return value > UINT32_MAX ? -1 : value;
    }

    private static IllegalStateException malformed(String value, String problem) {
        return new IllegalStateException("NOTIFY_SOCKET=\"" + Env.shown(value) + "\" is malformed: " + problem + "; "
                + ALLOWED);
    }

    int family() {
        return family;
    }

    /** {@link #SOCK_DGRAM}, {@link #SOCK_STREAM}, {@link #SOCK_SEQPACKET} or {@link #SOCK_DEFAULT}. */
    int socketType() {
        return socketType;
    }

    long cid() {
        return cid;
    }

    long port() {
        return port;
    }

    /** The sockaddr bytes; their count is the address length passed to the kernel. */
    byte[] sockaddr() {
        return sockaddr.clone();
    }

    int sockaddrLength() {
        return sockaddr.length;
    }

    String text() {
        return text;
    }

    /** The value as messages show it: escaped and shortened (see {@link Env#shown}). */
    @Override
    public String toString() {
        return Env.shown(text);
    }
}
