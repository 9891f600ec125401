package io.github.sdagent.agent.hooks;

import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Writes the hook calls into a class file with Byte Buddy's bundled ASM. Deliberately minimal, because it runs
 * on the application's start path: a few dozen ASM classes load instead of Byte Buddy's hundreds, no class is
 * loaded to compute frames, no member is added (so retransformation works), and unchanged methods are copied
 * as they are.
 *
 * <p>A hooked method becomes {@code HookBridge.enter(site, this|null); try { <body, where every return first
 * calls HookBridge.exit(site, value|null, null)> } catch (Throwable t) { HookBridge.exit(site, null, t); throw t; }}.
 * The catch-all comes last in the exception table, so the method's own handlers keep precedence, and it only
 * uses the operand stack, so its frame needs no locals. A hooked constructor calls
 * {@code HookBridge.constructed(hook, this)} before each normal return. The bridge never throws.
 */
final class HookWeaver {

    static final String BRIDGE = "io/github/sdagent/agent/bridge/HookBridge";

    private HookWeaver() {
    }

    /**
     * @param sites            method name + descriptor -> site ids advising it
     * @param constructorHooks hook ids to report from every constructor
     */
    static byte[] weave(byte[] classFile, Map<String, List<Integer>> sites, List<Integer> constructorHooks) {
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        boolean frames = (reader.readUnsignedShort(6) & 0xFFFF) >= Opcodes.V1_6;
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor visitor = super.visitMethod(access, name, descriptor, signature, exceptions);
                if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                    return visitor;
                }
                if (name.equals("<init>") && !constructorHooks.isEmpty()) {
                    return new ConstructorExit(visitor, constructorHooks);
                }
                List<Integer> siteIds = sites.get(name + descriptor);
                if (siteIds != null) {
                    boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
                    for (int site : siteIds) {
                        visitor = new MethodHook(visitor, site, isStatic, frames);
                    }
                }
                return visitor;
            }
        }, 0);
        return writer.toByteArray();
    }

    /** The variables that belong to the service's own JVM, never to its children. */
    static final String[] SYSTEMD_VARIABLES =
            {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"};

    /**
     * {@code java.lang.ProcessBuilder}: every instance {@code start} method first does
     * {@code environment().remove(...)} for each systemd variable. java.base types only, so no module edge and no
     * bridge are needed; no branch, so no frame changes.
     */
    static byte[] scrubEnvironment(byte[] processBuilder) {
        ClassReader reader = new ClassReader(processBuilder);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor visitor = super.visitMethod(access, name, descriptor, signature, exceptions);
                if (!name.equals("start") || (access & (Opcodes.ACC_STATIC | Opcodes.ACC_ABSTRACT)) != 0) {
                    return visitor;
                }
                return new MethodVisitor(Opcodes.ASM9, visitor) {
                    @Override
                    public void visitCode() {
                        super.visitCode();
                        mv.visitVarInsn(Opcodes.ALOAD, 0);
                        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/ProcessBuilder", "environment",
                                "()Ljava/util/Map;", false);
                        for (String variable : SYSTEMD_VARIABLES) {
                            mv.visitInsn(Opcodes.DUP);
                            mv.visitLdcInsn(variable);
                            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/util/Map", "remove",
                                    "(Ljava/lang/Object;)Ljava/lang/Object;", true);
                            mv.visitInsn(Opcodes.POP);
                        }
                        mv.visitInsn(Opcodes.POP);
                    }
                };
            }
        }, 0);
        return writer.toByteArray();
    }

    private static void push(MethodVisitor visitor, int value) {
        if (value >= -1 && value <= 5) {
            visitor.visitInsn(Opcodes.ICONST_0 + value);
        } else if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
            visitor.visitIntInsn(Opcodes.BIPUSH, value);
        } else if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
            visitor.visitIntInsn(Opcodes.SIPUSH, value);
        } else {
            visitor.visitLdcInsn(value);
        }
    }

    private static final class ConstructorExit extends MethodVisitor {
        private final List<Integer> hooks;

        ConstructorExit(MethodVisitor visitor, List<Integer> hooks) {
            super(Opcodes.ASM9, visitor);
            this.hooks = hooks;
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.RETURN) {
                for (int hook : hooks) {
                    push(mv, hook);
                    mv.visitVarInsn(Opcodes.ALOAD, 0);
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "constructed", "(ILjava/lang/Object;)V", false);
                }
            }
            super.visitInsn(opcode);
        }
    }

    private static final class MethodHook extends MethodVisitor {
        private static final String EXIT = "(ILjava/lang/Object;Ljava/lang/Throwable;)V";
        private final int site;
        private final boolean isStatic;
        private final boolean frames;
        private final Label start = new Label();
        private final Label handler = new Label();

        MethodHook(MethodVisitor visitor, int site, boolean isStatic, boolean frames) {
            super(Opcodes.ASM9, visitor);
            this.site = site;
            this.isStatic = isStatic;
            this.frames = frames;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            push(mv, site);
            if (isStatic) {
                mv.visitInsn(Opcodes.ACONST_NULL);
            } else {
                mv.visitVarInsn(Opcodes.ALOAD, 0);
            }
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "enter", "(ILjava/lang/Object;)V", false);
            mv.visitLabel(start);
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.ARETURN) {
                mv.visitInsn(Opcodes.DUP);            // value value
                push(mv, site);                       // value value site
                mv.visitInsn(Opcodes.SWAP);           // value site value
                mv.visitInsn(Opcodes.ACONST_NULL);    // value site value null
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "exit", EXIT, false);
            } else if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                push(mv, site);                       // a primitive result is never a Future: pass null
                mv.visitInsn(Opcodes.ACONST_NULL);
                mv.visitInsn(Opcodes.ACONST_NULL);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "exit", EXIT, false);
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            mv.visitLabel(handler);
            if (frames) {
                mv.visitFrame(Opcodes.F_FULL, 0, new Object[0], 1, new Object[] {"java/lang/Throwable"});
            }
            mv.visitInsn(Opcodes.DUP);                // t t
            push(mv, site);                           // t t site
            mv.visitInsn(Opcodes.SWAP);               // t site t
            mv.visitInsn(Opcodes.ACONST_NULL);        // t site t null
            mv.visitInsn(Opcodes.SWAP);               // t site null t
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "exit", EXIT, false);
            mv.visitInsn(Opcodes.ATHROW);
            mv.visitTryCatchBlock(start, handler, handler, "java/lang/Throwable");
            super.visitMaxs(maxStack, maxLocals);
        }
    }
}
