package io.github.sdagent.agent.activation;

import io.github.sdagent.agent.bridge.listen.ListenBridge;

import java.io.FileDescriptor;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ProtocolFamily;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The JDK internals the bind interception uses, opened through the agent's Instrumentation (the user passes no
 * {@code --add-opens}): java.base reads the bridge's module (the rewritten JDK classes call it), and
 * {@code sun.nio.ch}, {@code java.io} and {@code java.net} are opened to the agent's module only (for the original
 * {@code Net.bind/listen}, a FileDescriptor's number, and the classic SocketImpl's natives and fields). Java 8 API,
 * hence reflection for the module calls.
 */
final class JdkInternals {

    final MethodHandle familyBind;
    final MethodHandle plainBind;
    final MethodHandle listen;
    private final Field fd;

    private JdkInternals(MethodHandle familyBind, MethodHandle plainBind, MethodHandle listen, Field fd) {
        this.familyBind = familyBind;
        this.plainBind = plainBind;
        this.listen = listen;
        this.fd = fd;
    }

    /** @throws Exception with a message saying what is missing, when this JDK is not one the interception knows */
    static JdkInternals open(Instrumentation inst) throws Exception {
        String unsupported = unsupported(System.getProperty("java.specification.version"));
        if (unsupported != null) {
            throw new UnsupportedOperationException(unsupported);
        }
        Method getModule = Class.class.getMethod("getModule");
        Class<?> net = Class.forName("sun.nio.ch.Net", false, null);
        Object javaBase = getModule.invoke(FileDescriptor.class);
        Object own = getModule.invoke(JdkInternals.class);
        Object bridge = getModule.invoke(ListenBridge.class);
        Map<String, Set<?>> opens = new HashMap<>();
        opens.put("sun.nio.ch", Collections.singleton(own));
        opens.put("java.io", Collections.singleton(own));
        opens.put("java.net", Collections.singleton(own));
        Class<?> moduleType = Class.forName("java.lang.Module");
        Instrumentation.class.getMethod("redefineModule", moduleType, Set.class, Map.class, Map.class, Set.class,
                Map.class).invoke(inst, javaBase, Collections.singleton(bridge), Collections.emptyMap(), opens,
                Collections.emptySet(), Collections.emptyMap());

        MethodHandles.Lookup lookup = MethodHandles.lookup();
        Method familyBind = net.getDeclaredMethod("bind", ProtocolFamily.class, FileDescriptor.class,
                InetAddress.class, int.class);
        Method plainBind = net.getDeclaredMethod("bind", FileDescriptor.class, InetAddress.class, int.class);
        Method listen = net.getDeclaredMethod("listen", FileDescriptor.class, int.class);
        Field fd = FileDescriptor.class.getDeclaredField("fd");
        familyBind.setAccessible(true);
        plainBind.setAccessible(true);
        listen.setAccessible(true);
        fd.setAccessible(true);
        return new JdkInternals(lookup.unreflect(familyBind), lookup.unreflect(plainBind), lookup.unreflect(listen), fd);
    }

    /**
     * Why this JDK's binds cannot be intercepted, or null. The interception knows the internals of JDK 11 and later
     * (tested on 11, 17 and 25); below, the agent intercepts no bind at all rather than some.
     *
     * @param specVersion java.specification.version ("1.8", "11", "17"...)
     */
    static String unsupported(String specVersion) {
        int feature = io.github.sdagent.agent.isolation.NativeAccess.featureVersion(specVersion);
        if (feature == 0) {
            return "socket interception does not know java.specification.version " + specVersion;
        }
        if (feature < 11) {
            return "socket interception needs JDK 11 or later (this is JDK " + specVersion + ")";
        }
        return null;
    }

    /**
     * The classic {@code java.net} implementations (JDK 11 to 17): their natives, the receiver first, and the fields
     * their native bind sets. Looked up at the first call from one of them (a holder class: nothing of it loads
     * on JDKs or in applications that never use them).
     */
    static final class Classic {
        static final MethodHandle SOCKET_BIND;
        static final MethodHandle SOCKET_LISTEN;
        static final MethodHandle DATAGRAM_BIND;
        static final Field SOCKET_FD;
        static final Field SOCKET_ADDRESS;
        static final Field SOCKET_LOCAL_PORT;
        static final Field DATAGRAM_FD;
        static final Field DATAGRAM_LOCAL_PORT;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                Class<?> plainSocket = Class.forName("java.net.AbstractPlainSocketImpl", false, null);
                Class<?> plainDatagram = Class.forName("java.net.AbstractPlainDatagramSocketImpl", false, null);
                SOCKET_BIND = lookup.unreflect(accessible(plainSocket.getDeclaredMethod("socketBind",
                        InetAddress.class, int.class))).asType(MethodType.methodType(void.class,
                        java.net.SocketImpl.class, InetAddress.class, int.class));
                SOCKET_LISTEN = lookup.unreflect(accessible(plainSocket.getDeclaredMethod("socketListen", int.class)))
                        .asType(MethodType.methodType(void.class, java.net.SocketImpl.class, int.class));
                DATAGRAM_BIND = lookup.unreflect(accessible(plainDatagram.getDeclaredMethod("bind0", int.class,
                        InetAddress.class))).asType(MethodType.methodType(void.class,
                        java.net.DatagramSocketImpl.class, int.class, InetAddress.class));
                SOCKET_FD = accessible(java.net.SocketImpl.class.getDeclaredField("fd"));
                SOCKET_ADDRESS = accessible(java.net.SocketImpl.class.getDeclaredField("address"));
                SOCKET_LOCAL_PORT = accessible(java.net.SocketImpl.class.getDeclaredField("localport"));
                DATAGRAM_FD = accessible(java.net.DatagramSocketImpl.class.getDeclaredField("fd"));
                DATAGRAM_LOCAL_PORT = accessible(java.net.DatagramSocketImpl.class.getDeclaredField("localPort"));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("the classic java.net socket implementations are not as expected", e);
            }
        }

        private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
            member.setAccessible(true);
            return member;
        }

        /** The descriptor of a SocketImpl or DatagramSocketImpl. */
        static FileDescriptor descriptor(Object impl) throws IllegalAccessException {
            return (FileDescriptor) (impl instanceof java.net.SocketImpl ? SOCKET_FD : DATAGRAM_FD).get(impl);
        }

        /** What the skipped native bind would have set: the address asked for and the port. */
        static void bound(Object impl, InetAddress address, int port) throws IllegalAccessException {
            if (impl instanceof java.net.SocketImpl) {
                SOCKET_ADDRESS.set(impl, address);
                SOCKET_LOCAL_PORT.setInt(impl, port);
            } else {
                DATAGRAM_LOCAL_PORT.setInt(impl, port);
            }
        }
    }

    /**
     * Opens {@code type}'s package to {@code to}'s module when {@code type} sits in a named module that does not
     * (Netty on the module path); classes on the class path are in unnamed modules, open to all already.
     */
    static void openTo(Instrumentation inst, Class<?> type, Class<?> to) throws Exception {
        Method getModule = Class.class.getMethod("getModule");
        Object module = getModule.invoke(type);
        Object own = getModule.invoke(to);
        Class<?> moduleType = Class.forName("java.lang.Module");
        String pkg = type.getName().substring(0, type.getName().lastIndexOf('.'));
        if ((Boolean) moduleType.getMethod("isOpen", String.class, moduleType).invoke(module, pkg, own)) {
            return;
        }
        Map<String, Set<?>> opens = new HashMap<>();
        opens.put(pkg, Collections.singleton(own));
        Instrumentation.class.getMethod("redefineModule", moduleType, Set.class, Map.class, Map.class, Set.class,
                Map.class).invoke(inst, module, Collections.emptySet(), Collections.emptyMap(), opens,
                Collections.emptySet(), Collections.emptyMap());
    }

    /** The descriptor's number, or -1 when it is closed. */
    int fdVal(FileDescriptor descriptor) {
        try {
            return fd.getInt(descriptor);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
