import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.SimpleRemapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Build step (run by agent/pom.xml on the unpacked JNA classes, before the agent jar is staged; a single-file
 * program so that nothing of it ships). Class loader isolation gives the agent its own JNA classes, but two things
 * in them are JVM-wide, so the agent's copy is rewritten to reach private stand-ins instead:
 * <ul>
 * <li>java.util.logging: {@code Native.<clinit>} creates a Logger, which initialises the LogManager, whose class is
 * then fixed for the JVM's life; the agent would choose the application's logging manager.</li>
 * <li>System properties: {@code jna.*} and {@code jnidispatch.*} meant for the application's JNA would steer the
 * agent's (a {@code jna.boot.library.path} with an older native library), and the agent's JNA would publish
 * {@code jnidispatch.path} to the application's.</li>
 * </ul>
 * Only references are redirected (no relocation: JNA's JNI symbol names stay valid). The build fails when JNA uses a
 * logging member or a property method that the stand-ins do not provide, so a JNA upgrade cannot slip past this.
 *
 * <p>A third rewrite is for start-up cost only (issue 14): a {@code Structure} names its fields' order with the
 * {@code @FieldOrder} annotation, which {@code Structure.getFieldOrder()} reads by reflection. Reading an annotation
 * the first time in a JVM parses it and builds a dynamic proxy class for it (and for its own meta-annotations):
 * some 45 JDK classes, two generated ones and the generic-signature parser, on JNA's first {@code Native.register}
 * ({@code Structure.FFIType}), i.e. before the agent's first message. JNA's documented alternative is to override
 * {@code getFieldOrder()}; the build adds that override, returning the annotation's own list, to each annotated
 * direct subclass of {@code Structure} or {@code Union} that no JNA class extends (for those, the base method's walk
 * up the hierarchy finds exactly that one annotation, so the result is the same).
 */
public final class JnaIsolation {

    static final String ISOLATION = "io/github/sdagent/agent/isolation/";
    static final Map<String, String> TYPES = new HashMap<>();
    static {
        TYPES.put("java/util/logging/Logger", ISOLATION + "JnaLogger");
        TYPES.put("java/util/logging/Level", ISOLATION + "JnaLevel");
    }
    static final String PROPERTIES = ISOLATION + "JnaSystemProperties";
    /** The static property readers and writers redirected to {@link #PROPERTIES} (same name and descriptor). */
    static final Set<String> PROPERTY_METHODS = new TreeSet<>(java.util.Arrays.asList(
            "java/lang/System.getProperty(Ljava/lang/String;)Ljava/lang/String;",
            "java/lang/System.getProperty(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;",
            "java/lang/System.setProperty(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;",
            "java/lang/System.clearProperty(Ljava/lang/String;)Ljava/lang/String;",
            "java/lang/Boolean.getBoolean(Ljava/lang/String;)Z",
            "java/lang/Integer.getInteger(Ljava/lang/String;)Ljava/lang/Integer;",
            "java/lang/Integer.getInteger(Ljava/lang/String;I)Ljava/lang/Integer;",
            "java/lang/Long.getLong(Ljava/lang/String;)Ljava/lang/Long;",
            "java/lang/Long.getLong(Ljava/lang/String;J)Ljava/lang/Long;"));
    /** What the stand-ins JnaLogger and JnaLevel implement; anything else JNA uses fails the build. */
    static final Set<String> LOGGING_MEMBERS = new TreeSet<>(java.util.Arrays.asList(
            "java/util/logging/Logger.getLogger(Ljava/lang/String;)Ljava/util/logging/Logger;",
            "java/util/logging/Logger.isLoggable(Ljava/util/logging/Level;)Z",
            "java/util/logging/Logger.log(Ljava/util/logging/Level;Ljava/lang/String;)V",
            "java/util/logging/Logger.log(Ljava/util/logging/Level;Ljava/lang/String;Ljava/lang/Object;)V",
            "java/util/logging/Logger.log(Ljava/util/logging/Level;Ljava/lang/String;[Ljava/lang/Object;)V",
            "java/util/logging/Logger.log(Ljava/util/logging/Level;Ljava/lang/String;Ljava/lang/Throwable;)V",
            "java/util/logging/Level.SEVERE", "java/util/logging/Level.WARNING", "java/util/logging/Level.INFO",
            "java/util/logging/Level.CONFIG", "java/util/logging/Level.FINE", "java/util/logging/Level.FINER",
            "java/util/logging/Level.FINEST", "java/util/logging/Level.ALL", "java/util/logging/Level.OFF"));

    public static void main(String[] args) throws IOException {
        Path root = Paths.get(args[0]);
        Path jna = root.resolve("com/sun/jna");
        if (!Files.isDirectory(jna)) {
            throw new IllegalStateException("no JNA classes under " + root);
        }
        Set<String> unsupported = new TreeSet<>();
        int[] rewritten = {0};
        Set<String> extended = new TreeSet<>(); // JNA classes that another JNA class extends
        try (Stream<Path> files = Files.walk(jna)) {
            files.filter(f -> f.toString().endsWith(".class")).forEach(file -> {
                try {
                    extended.add(new ClassReader(Files.readAllBytes(file)).getSuperName());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        int[] ordered = {0};
        try (Stream<Path> files = Files.walk(jna)) {
            files.filter(f -> f.toString().endsWith(".class")).forEach(file -> {
                try {
                    byte[] original = Files.readAllBytes(file);
                    byte[] changed = rewrite(original, unsupported);
                    if (changed != null) {
                        rewritten[0]++;
                    }
                    byte[] withOrder = FieldOrderOverride.add(changed != null ? changed : original, extended);
                    if (withOrder != null) {
                        ordered[0]++;
                        changed = withOrder;
                    }
                    if (changed != null) {
                        Files.write(file, changed);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        if (ordered[0] == 0) {
            throw new IllegalStateException("no JNA Structure with @FieldOrder found: Structure.FFIType's annotation was "
                    + "expected (see FieldOrderOverride in agent/src/build/JnaIsolation.java)");
        }
        if (!unsupported.isEmpty()) {
            throw new IllegalStateException("JNA uses members that the agent's stand-ins do not provide (extend "
                    + "io.github.sdagent.agent.isolation and agent/src/build/JnaIsolation.java): " + unsupported);
        }
        System.out.println("JnaIsolation: " + rewritten[0] + " JNA classes now use the agent's private logging "
                + "and jna.* properties; " + ordered[0] + " Structures override getFieldOrder()");
    }

    /** The getFieldOrder() override described in the class comment. */
    static final class FieldOrderOverride {
        static final String FIELD_ORDER = "Lcom/sun/jna/Structure$FieldOrder;";
        static final Set<String> BASES = new TreeSet<>(java.util.Arrays.asList("com/sun/jna/Structure", "com/sun/jna/Union"));

        /** The class with the override added, or null when it is not such a Structure. */
        static byte[] add(byte[] classFile, Set<String> extended) {
            ClassReader reader = new ClassReader(classFile);
            if (!BASES.contains(reader.getSuperName()) || extended.contains(reader.getClassName())) {
                return null;
            }
            java.util.List<String> order = new java.util.ArrayList<>();
            boolean[] hasOwn = {false};
            reader.accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public net.bytebuddy.jar.asm.AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
                    if (!descriptor.equals(FIELD_ORDER)) {
                        return null;
                    }
                    return new net.bytebuddy.jar.asm.AnnotationVisitor(Opcodes.ASM9) {
                        @Override
                        public net.bytebuddy.jar.asm.AnnotationVisitor visitArray(String name) {
                            return new net.bytebuddy.jar.asm.AnnotationVisitor(Opcodes.ASM9) {
                                @Override
                                public void visit(String ignored, Object value) {
                                    order.add((String) value);
                                }
                            };
                        }
                    };
                }

                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                 String[] exceptions) {
                    if (name.equals("getFieldOrder") && descriptor.equals("()Ljava/util/List;")) {
                        hasOwn[0] = true;
                    }
                    return null;
                }
            }, ClassReader.SKIP_CODE);
            if (order.isEmpty() || hasOwn[0]) {
                return null;
            }
            ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public void visitEnd() {
                    // protected List<String> getFieldOrder() { return Collections.unmodifiableList(Arrays.asList(...)); }
                    MethodVisitor m = super.visitMethod(Opcodes.ACC_PROTECTED, "getFieldOrder", "()Ljava/util/List;",
                            "()Ljava/util/List<Ljava/lang/String;>;", null);
                    m.visitCode();
                    m.visitLdcInsn(order.size());
                    m.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/String");
                    for (int i = 0; i < order.size(); i++) {
                        m.visitInsn(Opcodes.DUP);
                        m.visitLdcInsn(i);
                        m.visitLdcInsn(order.get(i));
                        m.visitInsn(Opcodes.AASTORE);
                    }
                    m.visitMethodInsn(Opcodes.INVOKESTATIC, "java/util/Arrays", "asList",
                            "([Ljava/lang/Object;)Ljava/util/List;", false);
                    m.visitMethodInsn(Opcodes.INVOKESTATIC, "java/util/Collections", "unmodifiableList",
                            "(Ljava/util/List;)Ljava/util/List;", false);
                    m.visitInsn(Opcodes.ARETURN);
                    m.visitMaxs(0, 0);
                    m.visitEnd();
                    super.visitEnd();
                }
            }, 0);
            return writer.toByteArray();
        }
    }

    /** The rewritten class, or null when it references neither logging nor system properties. */
    static byte[] rewrite(byte[] classFile, Set<String> unsupported) {
        ClassReader reader = new ClassReader(classFile);
        boolean[] touched = {false};
        ClassWriter writer = new ClassWriter(0);
        // The redirect sees the original names; the remapper behind it renames the logging types on the way out.
        ClassVisitor redirect = new ClassVisitor(Opcodes.ASM9, new ClassRemapper(writer, new SimpleRemapper(TYPES))) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
                return new MethodVisitor(Opcodes.ASM9, next) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        if (TYPES.containsKey(owner)) {
                            touched[0] = true;
                            if (!LOGGING_MEMBERS.contains(owner + "." + method + desc)) {
                                unsupported.add(owner + "." + method + desc);
                            }
                        }
                        if (opcode == Opcodes.INVOKESTATIC && PROPERTY_METHODS.contains(owner + "." + method + desc)) {
                            touched[0] = true;
                            owner = PROPERTIES;
                        }
                        super.visitMethodInsn(opcode, owner, method, desc, itf);
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String field, String desc) {
                        if (TYPES.containsKey(owner)) {
                            touched[0] = true;
                            if (!LOGGING_MEMBERS.contains(owner + "." + field)) {
                                unsupported.add(owner + "." + field);
                            }
                        }
                        super.visitFieldInsn(opcode, owner, field, desc);
                    }
                };
            }

            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature,
                                           Object value) {
                if (descriptor.contains("java/util/logging/")) {
                    touched[0] = true;
                }
                return super.visitField(access, name, descriptor, signature, value);
            }
        };
        reader.accept(redirect, 0);
        if (!touched[0]) {
            return null;
        }
        byte[] result = writer.toByteArray();
        if (new String(result, java.nio.charset.StandardCharsets.ISO_8859_1).contains("java/util/logging")) {
            unsupported.add(reader.getClassName() + " still refers to java.util.logging after the rewrite");
        }
        return result;
    }
}
