package io.github.sdagent.agent.activation;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Redirects the JDK's native bind and listen calls to {@code io.github.sdagent.agent.bridge.ListenBridge}: in the
 * named methods of the named JDK classes, each call to the native bind or listen becomes an {@code invokestatic} of
 * a bridge method that takes the same stack (for the static {@code sun.nio.ch.Net.bind|listen}: the same descriptor;
 * for an instance method of the classic {@code java.net} implementations: the receiver as first argument). Nothing
 * else changes (no new members, same stack shape, same frames), which is what retransformation of an already loaded
 * JDK class allows. A class whose methods do not contain exactly the calls expected is left alone and reported once:
 * a JDK with other internals keeps its binds unchanged, never half-intercepted.
 *
 * <p>The JDK versions differ (read with javap on JDK 11, 17 and 25): ServerSocketChannelImpl binds in {@code bind}
 * with {@code Net.bind(fd, address, port)} up to JDK 15 and in {@code netBind} with the protocol family since JDK 16;
 * java.net.ServerSocket binds in {@code AbstractPlainSocketImpl} up to JDK 12 (and up to 17 with
 * {@code -Djdk.net.usePlainSocketImpl}), in {@code NioSocketImpl} since; DatagramSocket in
 * {@code AbstractPlainDatagramSocketImpl} up to JDK 14 (17 with {@code -Djdk.net.usePlainDatagramSocketImpl}), in
 * DatagramChannelImpl since. Each rewrite below names the methods it may be found in; each group (the bind, the
 * listen) must be found exactly once in a class, whichever variant this JDK has.
 */
final class BindWeaver implements ClassFileTransformer {

    static final String NET = "sun/nio/ch/Net";
    static final String BRIDGE = "io/github/sdagent/agent/bridge/listen/ListenBridge";
    static final String FAMILY_BIND = "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V";
    static final String PLAIN_BIND = "(Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V";
    static final String LISTEN = "(Ljava/io/FileDescriptor;I)V";
    static final String PLAIN_SOCKET_IMPL = "java/net/AbstractPlainSocketImpl";
    static final String PLAIN_DATAGRAM_IMPL = "java/net/AbstractPlainDatagramSocketImpl";

    /** One call to redirect: where it may be, what it is, where it goes. */
    static final class Rewrite {
        final String[] inMethods;
        final int opcode;
        final String owner;
        final String call;    // name + descriptor
        final String bridgeName;
        final String bridgeDescriptor;
        final int group;      // 0 bind, 1 listen: exactly one rewrite per group and class

        Rewrite(String[] inMethods, int opcode, String owner, String call, String bridgeName,
                String bridgeDescriptor, int group) {
            this.inMethods = inMethods;
            this.opcode = opcode;
            this.owner = owner;
            this.call = call;
            this.bridgeName = bridgeName;
            this.bridgeDescriptor = bridgeDescriptor;
            this.group = group;
        }

        /** A static call of sun.nio.ch.Net, redirected with the same descriptor. */
        static Rewrite net(String[] inMethods, String netCall, String bridgeName, int group) {
            return new Rewrite(inMethods, Opcodes.INVOKESTATIC, NET, netCall, bridgeName,
                    netCall.substring(netCall.indexOf('(')), group);
        }

        boolean matches(String method, int callOpcode, String callOwner, String nameAndDescriptor) {
            if (callOpcode != opcode || !owner.equals(callOwner) || !call.equals(nameAndDescriptor)) {
                return false;
            }
            for (String name : inMethods) {
                if (name.equals(method)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One class: which calls in it go where. */
    static final class Target {
        final String className;
        final Rewrite[] rewrites;
        final int groups;

        Target(String className, Rewrite... rewrites) {
            this.className = className;
            this.rewrites = rewrites;
            int max = 0;
            for (Rewrite rewrite : rewrites) {
                max = Math.max(max, rewrite.group);
            }
            this.groups = max + 1;
        }

        boolean inspects(String method) {
            for (Rewrite rewrite : rewrites) {
                for (String name : rewrite.inMethods) {
                    if (name.equals(method)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    private static String[] in(String... methods) {
        return methods;
    }

    static final Target[] TARGETS = {
        new Target("sun/nio/ch/ServerSocketChannelImpl",
                Rewrite.net(in("netBind"), "bind" + FAMILY_BIND, "bindServerChannel", 0),   // JDK 16+
                Rewrite.net(in("bind"), "bind" + PLAIN_BIND, "bindServerChannel", 0),       // JDK 11-15
                Rewrite.net(in("netBind", "bind"), "listen" + LISTEN, "listenServerChannel", 1)),
        new Target("sun/nio/ch/NioSocketImpl",
                Rewrite.net(in("bind"), "bind" + PLAIN_BIND, "bindServerSocket", 0),
                Rewrite.net(in("listen"), "listen" + LISTEN, "listenServerSocket", 1)),
        new Target("sun/nio/ch/DatagramChannelImpl",
                Rewrite.net(in("bindInternal"), "bind" + FAMILY_BIND, "bindDatagramChannel", 0)),
        new Target("sun/nio/ch/AsynchronousServerSocketChannelImpl",
                Rewrite.net(in("bind"), "bind" + PLAIN_BIND, "bindAsyncServerChannel", 0),
                Rewrite.net(in("bind"), "listen" + LISTEN, "listenAsyncServerChannel", 1)),
        new Target(PLAIN_SOCKET_IMPL,
                new Rewrite(in("bind"), Opcodes.INVOKEVIRTUAL, PLAIN_SOCKET_IMPL, "socketBind(Ljava/net/InetAddress;I)V",
                        "bindPlainSocket", "(Ljava/net/SocketImpl;Ljava/net/InetAddress;I)V", 0),
                new Rewrite(in("listen"), Opcodes.INVOKEVIRTUAL, PLAIN_SOCKET_IMPL, "socketListen(I)V",
                        "listenPlainSocket", "(Ljava/net/SocketImpl;I)V", 1)),
        new Target(PLAIN_DATAGRAM_IMPL,
                new Rewrite(in("bind"), Opcodes.INVOKEVIRTUAL, PLAIN_DATAGRAM_IMPL, "bind0(ILjava/net/InetAddress;)V",
                        "bindPlainDatagram", "(Ljava/net/DatagramSocketImpl;ILjava/net/InetAddress;)V", 0)),
    };

    /** Netty's native socket (epoll); relocated copies end with it after a '/'. */
    static final String NETTY_SOCKET = "io/netty/channel/unix/Socket";
    static final String NETTY_BIND = "bind(IZ[BII)I";
    static final String NETTY_LISTEN = "listen(II)I";

    private final Map<String, Target> byName = new HashMap<>();
    private final Consumer<String> problems;
    private final java.lang.instrument.Instrumentation inst;

    BindWeaver(Consumer<String> problems, java.lang.instrument.Instrumentation inst) {
        this.problems = problems;
        this.inst = inst;
        for (Target target : TARGETS) {
            byName.put(target.className, target);
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classFile) {
        if (internalName == null) {
            return null;
        }
        Target target = loader == null ? byName.get(internalName) : null;
        if (target == null && !isNettySocket(internalName)) {
            return null;
        }
        try {
            if (target != null) {
                return weave(target, classFile);
            }
            // Netty in an OSGi bundle or a JBoss module may not see the bridge: a forwarder then, or no weaving
            io.github.sdagent.agent.hooks.BridgeVisibility.of(inst).require(loader,
                    io.github.sdagent.agent.bridge.listen.ListenBridge.class,
                    "io.github.sdagent.agent.hooks.ListenBridgeForwarder");
            return weaveNetty(internalName, classFile);
        } catch (Throwable t) {
            problems.accept("socket interception: cannot rewrite " + internalName.replace('/', '.') + " (" + t
                    + "); its binds are left alone");
            return null;
        }
    }

    /**
     * Netty's {@code io.netty.channel.unix.Socket} or a relocated copy ({@code com/acme/shaded/io/netty/...}): one
     * {@code endsWith} per loaded class name, which fails at its first character for almost every class.
     */
    static boolean isNettySocket(String internalName) {
        int prefix = internalName.length() - NETTY_SOCKET.length();
        return internalName.endsWith(NETTY_SOCKET) && (prefix == 0 || internalName.charAt(prefix - 1) == '/');
    }

    /**
     * In {@code bind(SocketAddress)} and {@code listen(int)} of Netty's socket class, the call to the class's own
     * native {@code bind(IZ[BII)I} / {@code listen(II)I} becomes {@code ldc ThisClass; invokestatic
     * ListenBridge.bindNetty|listenNetty} with the class as one more argument (the bridge runs that copy's native).
     * One more stack slot, no branch, no new member: also fine for a class that is already loaded.
     */
    static byte[] weaveNetty(String internalName, byte[] classFile) {
        ClassReader reader = new ClassReader(classFile);
        if ((reader.readShort(6) & 0xFFFF) < Opcodes.V1_5) {
            throw new IllegalStateException("class file version below 49 (no ldc of a class)");
        }
        ClassWriter writer = new ClassWriter(reader, 0);
        int[] rewritten = new int[2];
        Type self = Type.getObjectType(internalName);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor visitor = super.visitMethod(access, name, descriptor, signature, exceptions);
                String method = name + descriptor;
                final int which = method.equals("bind(Ljava/net/SocketAddress;)V") ? 0
                        : method.equals("listen(I)V") ? 1 : -1;
                if (which < 0) {
                    return visitor;
                }
                return new MethodVisitor(Opcodes.ASM9, visitor) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String callName, String callDescriptor,
                                                boolean isInterface) {
                        String call = callName + callDescriptor;
                        if (opcode == Opcodes.INVOKESTATIC && internalName.equals(owner)
                                && call.equals(which == 0 ? NETTY_BIND : NETTY_LISTEN)) {
                            rewritten[which]++;
                            super.visitLdcInsn(self);
                            super.visitMethodInsn(opcode, BRIDGE, which == 0 ? "bindNetty" : "listenNetty",
                                    callDescriptor.replace(")", "Ljava/lang/Class;)"), false);
                            return;
                        }
                        super.visitMethodInsn(opcode, owner, callName, callDescriptor, isInterface);
                    }

                    @Override
                    public void visitMaxs(int maxStack, int maxLocals) {
                        super.visitMaxs(maxStack + 1, maxLocals); // the class argument
                    }
                };
            }
        }, 0);
        for (int i = 0; i < rewritten.length; i++) {
            if (rewritten[i] != 1) {
                throw new IllegalStateException("expected one call to " + (i == 0 ? NETTY_BIND : NETTY_LISTEN)
                        + " in " + (i == 0 ? "bind(SocketAddress)" : "listen(int)") + ", found " + rewritten[i]);
            }
        }
        return writer.toByteArray();
    }

    /** The rewritten class, or throws when it does not hold exactly the expected calls. */
    static byte[] weave(Target target, byte[] classFile) {
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, 0);
        int[] rewritten = new int[target.groups];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor visitor = super.visitMethod(access, name, descriptor, signature, exceptions);
                if (!target.inspects(name)) {
                    return visitor;
                }
                String methodName = name;
                return new MethodVisitor(Opcodes.ASM9, visitor) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String callName, String callDescriptor,
                                                boolean isInterface) {
                        for (Rewrite rewrite : target.rewrites) {
                            if (rewrite.matches(methodName, opcode, owner, callName + callDescriptor)) {
                                rewritten[rewrite.group]++;
                                // the receiver of an instance call becomes the first argument: same stack
                                super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, rewrite.bridgeName,
                                        rewrite.bridgeDescriptor, false);
                                return;
                            }
                        }
                        super.visitMethodInsn(opcode, owner, callName, callDescriptor, isInterface);
                    }
                };
            }
        }, 0);
        for (int group = 0; group < rewritten.length; group++) {
            if (rewritten[group] != 1) {
                StringBuilder expected = new StringBuilder();
                for (Rewrite rewrite : target.rewrites) {
                    if (rewrite.group == group) {
                        expected.append(expected.length() == 0 ? "" : " or ").append(rewrite.call).append(" in ")
                                .append(String.join("/", rewrite.inMethods));
                    }
                }
                throw new IllegalStateException("expected one call to " + expected + ", found " + rewritten[group]
                        + " (JDK " + System.getProperty("java.version") + ")");
            }
        }
        return writer.toByteArray();
    }
}
