package io.github.sdagent.agent.activation;

import io.github.sdagent.agent.bridge.listen.ListenBridge;

import java.io.FileDescriptor;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The one bind/listen interception of the agent: the bridge's dispatcher. It asks the {@link BindAdopter} (socket
 * activation), if any, whether to adopt a socket before each bind, skips the listen of an adopted socket (it
 * listens already, with systemd's backlog), and tells every {@link ListenerObserver} about each socket that is
 * up. Installed at most once per JVM, by {@link Listeners}.
 */
final class BindInterception implements ListenBridge.Dispatcher {

    /** By the bridge's kind numbers; NETTY_NATIVE is resolved per socket (stream or datagram, see {@link #kind}). */
    private static final SocketKind[] KINDS = {null, SocketKind.SERVER_SOCKET_CHANNEL, SocketKind.SERVER_SOCKET,
            SocketKind.DATAGRAM_CHANNEL, SocketKind.ASYNC_SERVER_SOCKET_CHANNEL, SocketKind.NETTY_NATIVE};

    private final JdkInternals jdk;
    private final Instrumentation inst;
    private final Consumer<String> problems;
    final List<ListenerObserver> observers = new CopyOnWriteArrayList<>();
    volatile BindAdopter adopter;
    /** Loads the agent's JNA quietly; run before the first libc call (see AgentMain's JnaProperties). */
    volatile Runnable nativeInit;
    /** fd -> the name of the inherited socket put there, until its listen (or close and re-bind) */
    private final Map<Integer, String> adopted = new HashMap<>();
    /** fds bound to port 0 (the kernel chose the port), until their listen: ready=auto does not count them */
    private final java.util.Set<Integer> ephemeral = new java.util.HashSet<>();

    private BindInterception(JdkInternals jdk, Instrumentation inst, Consumer<String> problems) {
        this.jdk = jdk;
        this.inst = inst;
        this.problems = problems;
    }

    /** Opens the JDK internals and installs the bridge; nothing calls it until {@link #weave}. */
    static BindInterception create(Instrumentation inst, Consumer<String> problems) throws Exception {
        JdkInternals jdk = JdkInternals.open(inst);
        BindInterception interception = new BindInterception(jdk, inst, problems);
        ListenBridge.install(interception, jdk.familyBind, jdk.plainBind, jdk.listen);
        return interception;
    }

    /** Registers the weaver and rewrites the target classes that are already loaded. */
    void weave(Instrumentation inst, Consumer<ClassFileTransformer> transformers) throws Exception {
        transformers.accept(new BindWeaver(problems, inst));
        for (Class<?> type : inst.getAllLoadedClasses()) {
            if (isTarget(type)) {
                try {
                    inst.retransformClasses(type); // loaded before us: rewrite its call sites now
                } catch (Throwable t) {
                    problems.accept("socket interception: cannot rewrite " + type.getName() + " (" + t
                            + "); its binds are left alone");
                }
            }
        }
    }

    private static boolean isTarget(Class<?> type) {
        String internalName = type.getName().replace('.', '/');
        if (BindWeaver.isNettySocket(internalName)) {
            return true;
        }
        if (type.getClassLoader() != null) {
            return false;
        }
        for (BindWeaver.Target target : BindWeaver.TARGETS) {
            if (target.className.equals(internalName)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean beforeBind(int kind, FileDescriptor fd, InetAddress address, int port) {
        return beforeBind(KINDS[kind], jdk.fdVal(fd), address, port);
    }

    @Override
    public boolean beforeBind(int kind, int fd, InetAddress address, int port) {
        SocketKind resolved = KINDS[kind];
        if (resolved == SocketKind.NETTY_NATIVE && adopter != null) {
            resolved = kind(fd); // the adopter matches stream and datagram sockets differently
        }
        return beforeBind(resolved, fd, address, port);
    }

    /** A Netty native socket's kind by its SO_TYPE. */
    private SocketKind kind(int fd) {
        try {
            initNative();
            return io.github.sdagent.core.Sockets.type(fd) == io.github.sdagent.core.Sockets.SOCK_DGRAM
                    ? SocketKind.NETTY_NATIVE_DATAGRAM : SocketKind.NETTY_NATIVE;
        } catch (Exception e) {
            return SocketKind.NETTY_NATIVE;
        }
    }

    private void initNative() {
        Runnable init = nativeInit;
        if (init != null) {
            init.run();
        }
    }

    private boolean beforeBind(SocketKind kind, int fdVal, InetAddress address, int port) {
        synchronized (adopted) {
            adopted.remove(fdVal); // left by an adopted socket that was closed before its listen: a new socket now
            if (port == 0) {
                ephemeral.add(fdVal);
            } else {
                ephemeral.remove(fdVal);
            }
        }
        BindAdopter current = adopter;
        if (current == null) {
            return false;
        }
        String name = current.adopt(kind, fdVal, address, port);
        if (name == null) {
            return false;
        }
        synchronized (adopted) {
            adopted.put(fdVal, name);
        }
        return true;
    }

    @Override
    public boolean beforeClassicBind(int kind, Object impl, InetAddress address, int port) {
        int fdVal = jdk.fdVal(classicDescriptor(impl));
        if (!beforeBind(KINDS[kind], fdVal, address, port)) {
            return false;
        }
        try {
            JdkInternals.Classic.bound(impl, address, port); // as the native does (and NioSocketImpl): the address asked for
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e); // opened in JdkInternals.open: cannot happen
        }
        return true;
    }

    @Override
    public FileDescriptor classicDescriptor(Object impl) {
        try {
            return JdkInternals.Classic.descriptor(impl);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e); // opened in JdkInternals.open: cannot happen
        }
    }

    @Override
    public java.lang.invoke.MethodHandle[] classicNatives() {
        return new java.lang.invoke.MethodHandle[] {JdkInternals.Classic.SOCKET_BIND,
                JdkInternals.Classic.SOCKET_LISTEN, JdkInternals.Classic.DATAGRAM_BIND};
    }

    @Override
    public boolean beforeListen(int kind, FileDescriptor fd, int backlog) {
        return beforeListen(kind, jdk.fdVal(fd));
    }

    @Override
    public boolean beforeListen(int kind, int fd) {
        synchronized (adopted) {
            return adopted.containsKey(fd);
        }
    }

    @Override
    public void bindFailed(int kind, InetAddress address, int port, java.io.IOException failure) {
        for (ListenerObserver observer : observers) {
            try {
                observer.bindFailed(KINDS[kind], address, port, String.valueOf(failure.getMessage()));
            } catch (Throwable t) {
                problems.accept("socket interception: observer " + observer + " failed: " + t);
            }
        }
    }

    @Override
    public void up(int kind, FileDescriptor fd) {
        up(KINDS[kind], jdk.fdVal(fd));
    }

    @Override
    public void up(int kind, int fd, boolean listening) {
        if (listening) {
            up(SocketKind.NETTY_NATIVE, fd);
        } else if (!observers.isEmpty()) {
            SocketKind resolved = kind(fd);
            if (!resolved.isStream()) {
                up(resolved, fd); // a datagram socket is up once bound; a stream socket once it listens
            }
        }
    }

    @Override
    public java.lang.invoke.MethodHandle[] nettyNatives(Class<?> socketClass) throws Exception {
        JdkInternals.openTo(inst, socketClass, BindInterception.class);
        java.lang.reflect.Method bind = socketClass.getDeclaredMethod("bind", int.class, boolean.class, byte[].class,
                int.class, int.class);
        java.lang.reflect.Method listen = socketClass.getDeclaredMethod("listen", int.class, int.class);
        bind.setAccessible(true);
        listen.setAccessible(true);
        java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.lookup();
        return new java.lang.invoke.MethodHandle[] {lookup.unreflect(bind), lookup.unreflect(listen)};
    }

    private void up(SocketKind kind, int fdVal) {
        String name;
        boolean ephemeralBind;
        synchronized (adopted) {
            name = adopted.remove(fdVal);
            ephemeralBind = ephemeral.remove(fdVal);
        }
        if (observers.isEmpty()) {
            return;
        }
        InetSocketAddress local;
        try {
            initNative();
            local = io.github.sdagent.core.Sockets.localAddress(fdVal);
        } catch (Exception e) {
            problems.accept("socket interception: cannot read the address of a new listening socket: " + e);
            return;
        }
        ListeningSocket socket = new ListeningSocket(kind, local, name, fdVal, ephemeralBind);
        for (ListenerObserver observer : observers) {
            try {
                observer.listening(socket);
            } catch (Throwable t) {
                problems.accept("socket interception: observer " + observer + " failed: " + t);
            }
        }
    }
}
