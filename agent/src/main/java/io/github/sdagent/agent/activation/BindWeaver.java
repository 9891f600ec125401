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
 * named methods of the named {@code sun.nio.ch} classes, each {@code invokestatic sun/nio/ch/Net.bind|listen}
 * becomes an {@code invokestatic} of the bridge method with the same descriptor. Nothing else changes (no new
 * members, same stack shape, same frames), which is what retransformation of an already loaded JDK class allows.
 * A class whose methods do not contain exactly the calls expected is left alone and reported once: a JDK with
 * other internals keeps its binds unchanged, never half-intercepted.
 */
final class BindWeaver implements ClassFileTransformer {

    static final String NET = "sun/nio/ch/Net";
    static final String BRIDGE = "io/github/sdagent/agent/bridge/listen/ListenBridge";
    static final String FAMILY_BIND = "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V";
    static final String PLAIN_BIND = "(Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)V";
    static final String LISTEN = "(Ljava/io/FileDescriptor;I)V";

    /** One class: in which methods which call goes where. */
    static final class Target {
        final String className;
        final String[] methods;
        final String[] calls;     // Net method name + descriptor, per rewrite
        final String[] bridgeNames;

        Target(String className, String[] methods, String[] calls, String[] bridgeNames) {
            this.className = className;
            this.methods = methods;
            this.calls = calls;
            this.bridgeNames = bridgeNames;
        }
    }

    static final Target[] TARGETS = {
        new Target("sun/nio/ch/ServerSocketChannelImpl", new String[] {"netBind", "netBind"},
                new String[] {"bind" + FAMILY_BIND, "listen" + LISTEN},
                new String[] {"bindServerChannel", "listenServerChannel"}),
        new Target("sun/nio/ch/NioSocketImpl", new String[] {"bind", "listen"},
                new String[] {"bind" + PLAIN_BIND, "listen" + LISTEN},
                new String[] {"bindServerSocket", "listenServerSocket"}),
        new Target("sun/nio/ch/DatagramChannelImpl", new String[] {"bindInternal"},
                new String[] {"bind" + FAMILY_BIND},
                new String[] {"bindDatagramChannel"}),
        new Target("sun/nio/ch/AsynchronousServerSocketChannelImpl", new String[] {"bind", "bind"},
                new String[] {"bind" + PLAIN_BIND, "listen" + LISTEN},
                new String[] {"bindAsyncServerChannel", "listenAsyncServerChannel"}),
    };

    /** Netty's native socket (epoll); relocated copies end with it after a '/'. */
    static final String NETTY_SOCKET = "io/netty/channel/unix/Socket";
    static final String NETTY_BIND = "bind(IZ[BII)I";
    static final String NETTY_LISTEN = "listen(II)I";

    private final Map<String, Target> byName = new HashMap<>();
    private final Consumer<String> problems;

    BindWeaver(Consumer<String> problems) {
        this.problems = problems;
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
            return target != null ? weave(target, classFile) : weaveNetty(internalName, classFile);
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
        int[] rewritten = new int[target.calls.length];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor visitor = super.visitMethod(access, name, descriptor, signature, exceptions);
                boolean targeted = false;
                for (String method : target.methods) {
                    targeted |= method.equals(name);
                }
                if (!targeted) {
                    return visitor;
                }
                String methodName = name;
                return new MethodVisitor(Opcodes.ASM9, visitor) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String callName, String callDescriptor,
                                                boolean isInterface) {
                        if (opcode == Opcodes.INVOKESTATIC && NET.equals(owner)) {
                            for (int i = 0; i < target.calls.length; i++) {
                                if (target.methods[i].equals(methodName)
                                        && target.calls[i].equals(callName + callDescriptor)) {
                                    rewritten[i]++;
                                    super.visitMethodInsn(opcode, BRIDGE, target.bridgeNames[i], callDescriptor, false);
                                    return;
                                }
                            }
                        }
                        super.visitMethodInsn(opcode, owner, callName, callDescriptor, isInterface);
                    }
                };
            }
        }, 0);
        for (int i = 0; i < rewritten.length; i++) {
            if (rewritten[i] != 1) {
                throw new IllegalStateException("expected one call to Net." + target.calls[i] + " in "
                        + target.methods[i] + ", found " + rewritten[i] + " (JDK " + System.getProperty("java.version")
                        + ")");
            }
        }
        return writer.toByteArray();
    }
}
