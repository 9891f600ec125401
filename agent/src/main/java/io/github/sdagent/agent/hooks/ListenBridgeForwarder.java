package io.github.sdagent.agent.hooks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * As {@link HookBridgeForwarder}, for the bind interception's calls from Netty's native socket class
 * ({@code io.netty.channel.unix.Socket} or a relocated copy) in a class loader that does not delegate the agent's
 * package to the bootstrap loader: defined there renamed {@code io.github.sdagent.agent.bridge.listen.ListenBridge}.
 * The real bridge runs Netty's own native when it does not adopt a socket, and its exceptions are Netty's.
 */
public final class ListenBridgeForwarder {

    private static final MethodHandle BIND_NETTY;
    private static final MethodHandle LISTEN_NETTY;

    static {
        try {
            Class<?> real = Class.forName("io.github.sdagent.agent.bridge.listen.ListenBridge", false, null);
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            BIND_NETTY = lookup.findStatic(real, "bindNetty", MethodType.methodType(int.class, int.class,
                    boolean.class, byte[].class, int.class, int.class, Class.class));
            LISTEN_NETTY = lookup.findStatic(real, "listenNetty", MethodType.methodType(int.class, int.class,
                    int.class, Class.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("sd-agent: the listen bridge is not in the bootstrap loader", e);
        }
    }

    private ListenBridgeForwarder() {
    }

    public static int bindNetty(int fd, boolean ipv6, byte[] address, int scopeId, int port, Class<?> socketClass)
            throws Throwable {
        return (int) BIND_NETTY.invokeExact(fd, ipv6, address, scopeId, port, socketClass);
    }

    public static int listenNetty(int fd, int backlog, Class<?> socketClass) throws Throwable {
        return (int) LISTEN_NETTY.invokeExact(fd, backlog, socketClass);
    }
}
