package io.github.sdagent.agent.activation;

import io.github.sdagent.agent.bridge.listen.ListenBridge;

import java.io.FileDescriptor;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
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
 * {@code sun.nio.ch} and {@code java.io} are opened to the agent's module only (for the original
 * {@code Net.bind/listen} and a FileDescriptor's number). Java 8 API, hence reflection for the module calls.
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
        String unsupported = unsupported(System.getProperty("java.specification.version"),
                System.getProperty("jdk.net.usePlainSocketImpl"));
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
     * Why this JDK's binds cannot all be intercepted, or null. Every server socket kind or none: an interception that
     * covers ServerSocketChannel but not java.net.ServerSocket would serve some binds of an application from systemd
     * and leave others failing on the same port.
     *
     * @param specVersion        java.specification.version ("1.8", "11", "17"...)
     * @param usePlainSocketImpl the system property jdk.net.usePlainSocketImpl (JDK 13 to 17), or null
     */
    static String unsupported(String specVersion, String usePlainSocketImpl) {
        int feature;
        try {
            feature = Integer.parseInt(specVersion.startsWith("1.") ? specVersion.substring(2) : specVersion);
        } catch (RuntimeException e) {
            return "socket interception does not know java.specification.version " + specVersion;
        }
        if (feature < 13) {
            return "socket interception needs JDK 13 or later (this is JDK " + specVersion + ": its java.net.ServerSocket"
                    + " binds in PlainSocketImpl and its channels in other methods than the ones it rewrites)";
        }
        if (feature <= 17 && usePlainSocketImpl != null && !usePlainSocketImpl.equalsIgnoreCase("false")) {
            return "socket interception does not cover -Djdk.net.usePlainSocketImpl (java.net.ServerSocket then binds in"
                    + " PlainSocketImpl)";
        }
        return null;
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
