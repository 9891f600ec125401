package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.isolation.ModuleAccess;
import io.github.sdagent.agent.isolation.NativeAccess;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;

/**
 * Defines a bridge forwarder in a class loader that hides the bridge ({@link BridgeVisibility}): the template's
 * class file, renamed to the bridge's name, through {@code ClassLoader#defineClass} (java.lang opened to the agent's
 * module once, with its Instrumentation). A class of its own so that nothing of this loads where no loader hides
 * the bridge.
 */
final class ForwarderInjection {

    private final Instrumentation inst;
    private Method defineClass;

    ForwarderInjection(Instrumentation inst) {
        this.inst = inst;
    }

    Class<?> define(ClassLoader loader, Class<?> bridge, Class<?> forwarder) throws Exception {
        byte[] template = ClassInfo.classFile(forwarder.getClassLoader(), forwarder.getName());
        if (template == null) {
            throw new java.io.IOException("no class file for " + forwarder.getName());
        }
        byte[] renamed = renamed(template, forwarder.getName().replace('.', '/'), bridge.getName().replace('.', '/'));
        if (defineClass == null) {
            if (NativeAccess.hasModules()) {
                ModuleAccess.openPackage(inst, ClassLoader.class, "java.lang", ForwarderInjection.class);
            }
            Method define = ClassLoader.class.getDeclaredMethod("defineClass", String.class, byte[].class, int.class,
                    int.class);
            define.setAccessible(true);
            defineClass = define;
        }
        return (Class<?>) defineClass.invoke(loader, bridge.getName(), renamed, 0, renamed.length);
    }

    /** The template class file under another name: its own name, and its references to itself. */
    static byte[] renamed(byte[] template, String from, String to) {
        ClassReader reader = new ClassReader(template);
        ClassWriter writer = new ClassWriter(0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                              String[] interfaces) {
                super.visit(version, access, to, signature, superName, interfaces);
            }

            @Override
            public void visitSource(String source, String debug) {
                // the template's source file name would mislead a stack trace
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, descriptor, signature,
                        exceptions)) {
                    @Override
                    public void visitFieldInsn(int opcode, String owner, String fieldName, String fieldDescriptor) {
                        super.visitFieldInsn(opcode, owner.equals(from) ? to : owner, fieldName, fieldDescriptor);
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String methodName, String methodDescriptor,
                                                boolean isInterface) {
                        super.visitMethodInsn(opcode, owner.equals(from) ? to : owner, methodName, methodDescriptor,
                                isInterface);
                    }

                    @Override
                    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
                        super.visitFrame(type, numLocal, rename(local), numStack, rename(stack));
                    }

                    private Object[] rename(Object[] types) {
                        if (types == null) {
                            return null;
                        }
                        Object[] renamedTypes = types.clone();
                        for (int i = 0; i < renamedTypes.length; i++) {
                            if (from.equals(renamedTypes[i])) {
                                renamedTypes[i] = to;
                            }
                        }
                        return renamedTypes;
                    }
                };
            }
        }, 0);
        return writer.toByteArray();
    }
}
