package io.github.sdagent.agent.hooks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * What hook resolution needs to know about a class: its supertypes and methods, read from the class file (so a
 * method signature naming a missing optional class costs nothing and loads nothing).
 */
final class ClassInfo {

    final String name;
    final String superName;
    final List<String> interfaces;
    final boolean isInterface;
    final List<MethodInfo> methods = new ArrayList<>();

    private ClassInfo(String name, String superName, List<String> interfaces, boolean isInterface) {
        this.name = name;
        this.superName = superName;
        this.interfaces = interfaces;
        this.isInterface = isInterface;
    }

    /** One declared method (constructors and class initializers excluded). */
    static final class MethodInfo {
        final ClassInfo owner;
        final String name;
        final String descriptor;
        final int access;

        MethodInfo(ClassInfo owner, String name, String descriptor, int access) {
            this.owner = owner;
            this.name = name;
            this.descriptor = descriptor;
            this.access = access;
        }

        boolean is(int flag) {
            return (access & flag) != 0;
        }

        /** Binary names of the parameter types, arrays as {@code T[]} (e.g. {@code a.B$C[]}). */
        List<String> parameterNames() {
            List<String> names = new ArrayList<>();
            for (Type type : Type.getArgumentTypes(descriptor)) {
                names.add(type.getClassName());
            }
            return names;
        }
    }

    /** Finds class files by binary name, as one class loader sees them; null when there is none. */
    interface Source {
        ClassInfo find(String binaryName);

        static Source of(ClassLoader loader) {
            return new Source() {
                @Override
                public ClassInfo find(String binaryName) {
                    byte[] classFile = classFile(loader, binaryName);
                    return classFile == null ? null : parse(classFile);
                }
            };
        }
    }

    /** The class file of {@code binaryName} as {@code loader} sees it (null: the system loader); null when none. */
    static byte[] classFile(ClassLoader loader, String binaryName) {
        String path = binaryName.replace('.', '/') + ".class";
        try (InputStream in = loader == null
                ? ClassLoader.getSystemResourceAsStream(path) : loader.getResourceAsStream(path)) {
            return in == null ? null : readAll(in);
        } catch (IOException e) {
            return null;
        }
    }

    static ClassInfo parse(byte[] classFile) {
        ClassReader reader = new ClassReader(classFile);
        String[] interfaces = reader.getInterfaces();
        List<String> interfaceNames = new ArrayList<>();
        for (String itf : interfaces) {
            interfaceNames.add(itf.replace('/', '.'));
        }
        ClassInfo info = new ClassInfo(reader.getClassName().replace('/', '.'),
                reader.getSuperName() == null ? null : reader.getSuperName().replace('/', '.'),
                Collections.unmodifiableList(interfaceNames), (reader.getAccess() & Opcodes.ACC_INTERFACE) != 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (!name.startsWith("<")) {
                    info.methods.add(new MethodInfo(info, name, descriptor, access));
                }
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return info;
    }

    /** For a generated class without a class file (a proxy, say): the same facts by reflection. */
    static ClassInfo reflect(Class<?> type) {
        List<String> interfaceNames = new ArrayList<>();
        for (Class<?> itf : type.getInterfaces()) {
            interfaceNames.add(itf.getName());
        }
        ClassInfo info = new ClassInfo(type.getName(),
                type.getSuperclass() == null ? null : type.getSuperclass().getName(),
                Collections.unmodifiableList(interfaceNames), type.isInterface());
        for (Method method : type.getDeclaredMethods()) {
            int access = method.getModifiers() | (method.isBridge() ? Opcodes.ACC_BRIDGE : 0)
                    | (method.isSynthetic() ? Opcodes.ACC_SYNTHETIC : 0);
            info.methods.add(new MethodInfo(info, method.getName(), Type.getMethodDescriptor(method), access));
        }
        return info;
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
