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

    private static final SocketKind[] KINDS = {null, SocketKind.SERVER_SOCKET_CHANNEL, SocketKind.SERVER_SOCKET,
            SocketKind.DATAGRAM_CHANNEL};

    private final JdkInternals jdk;
    private final Consumer<String> problems;
    final List<ListenerObserver> observers = new CopyOnWriteArrayList<>();
    volatile BindAdopter adopter;
    /** Loads the agent's JNA quietly; run before the first libc call (see AgentMain's JnaProperties). */
    volatile Runnable nativeInit;
    /** fd -> the name of the inherited socket put there, until its listen (or close and re-bind) */
    private final Map<Integer, String> adopted = new HashMap<>();
    /** fds bound to port 0 (the kernel chose the port), until their listen: ready=auto does not count them */
    private final java.util.Set<Integer> ephemeral = new java.util.HashSet<>();

    private BindInterception(JdkInternals jdk, Consumer<String> problems) {
        this.jdk = jdk;
        this.problems = problems;
    }

    /** Opens the JDK internals and installs the bridge; nothing calls it until {@link #weave}. */
    static BindInterception create(Instrumentation inst, Consumer<String> problems) throws Exception {
        JdkInternals jdk = JdkInternals.open(inst);
        BindInterception interception = new BindInterception(jdk, problems);
        ListenBridge.install(interception, jdk.familyBind, jdk.plainBind, jdk.listen);
        return interception;
    }

    /** Registers the weaver and rewrites the target classes that are already loaded. */
    void weave(Instrumentation inst, Consumer<ClassFileTransformer> transformers) throws Exception {
        transformers.accept(new BindWeaver(problems));
        for (Class<?> type : inst.getAllLoadedClasses()) {
            if (type.getClassLoader() == null && isTarget(type.getName())) {
                inst.retransformClasses(type); // loaded before us: rewrite its call sites now
            }
        }
    }

    private static boolean isTarget(String className) {
        for (BindWeaver.Target target : BindWeaver.TARGETS) {
            if (target.className.equals(className.replace('.', '/'))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean beforeBind(int kind, FileDescriptor fd, InetAddress address, int port) {
        int fdVal = jdk.fdVal(fd);
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
        String name = current.adopt(KINDS[kind], fdVal, address, port);
        if (name == null) {
            return false;
        }
        synchronized (adopted) {
            adopted.put(fdVal, name);
        }
        return true;
    }

    @Override
    public boolean beforeListen(int kind, FileDescriptor fd, int backlog) {
        synchronized (adopted) {
            return adopted.containsKey(jdk.fdVal(fd));
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
        int fdVal = jdk.fdVal(fd);
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
            Runnable init = nativeInit;
            if (init != null) {
                init.run();
            }
            local = io.github.sdagent.core.Sockets.localAddress(fdVal);
        } catch (Exception e) {
            problems.accept("socket interception: cannot read the address of a new listening socket: " + e);
            return;
        }
        ListeningSocket socket = new ListeningSocket(KINDS[kind], local, name, fdVal, ephemeralBind);
        for (ListenerObserver observer : observers) {
            try {
                observer.listening(socket);
            } catch (Throwable t) {
                problems.accept("socket interception: observer " + observer + " failed: " + t);
            }
        }
    }
}
