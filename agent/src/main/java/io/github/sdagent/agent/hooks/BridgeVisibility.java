package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.isolation.ModuleAccess;
import io.github.sdagent.agent.isolation.NativeAccess;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Whether the classes of a class loader can call a bridge class of the agent (defined in the bootstrap loader), and
 * if they cannot, makes them able to. Code woven into a class resolves the bridge through that class's own loader.
 * The JDK's loaders, Spring Boot's, Tomcat's and most others ask their parent first and so end at the bootstrap
 * loader; an OSGi bundle's loader (Felix, Equinox: only {@code java.*} and the boot-delegation list go to the
 * parent), a JBoss module's ({@code jboss.modules.system.pkgs}) and other isolating plugin loaders do not, and there
 * a woven call would throw NoClassDefFoundError into the application's own method.
 *
 * <p>So before weaving a class the weaver asks its loader for the bridge by name, once per loader and bridge. When
 * the loader does not find it, a forwarder ({@link HookBridgeForwarder}, {@link ListenBridgeForwarder}) is defined in
 * that loader under the bridge's name; it passes each call on to the real bridge. When even that is not possible (the
 * loader has a class of that name of its own, or finds another one than the one defined), the class is not woven:
 * a hook that does not fire, said once, never an application that fails.
 */
public final class BridgeVisibility {

    private static BridgeVisibility instance;

    private final Instrumentation inst;
    /** loader -> bridge class name -> whether that loader's classes can call it */
    private final Map<ClassLoader, Map<String, Boolean>> known = new WeakHashMap<>();
    private Method defineClass;

    BridgeVisibility(Instrumentation inst) {
        this.inst = inst;
    }

    /** The JVM's one instance: the hook engine and the bind interception share what they learn of each loader. */
    public static synchronized BridgeVisibility of(Instrumentation inst) {
        if (instance == null) {
            instance = new BridgeVisibility(inst);
        }
        return instance;
    }

    /**
     * @param loader    the loader of the class about to be woven (null: the bootstrap loader, which defines the bridge)
     * @param bridge    the bridge class the woven code calls
     * @param forwarder its forwarder template
     * @throws IllegalStateException with the reason, when the woven code's calls would not resolve to {@code bridge}
     *                               (directly or through a forwarder): then the class must not be woven
     */
    public synchronized void require(ClassLoader loader, Class<?> bridge, Class<?> forwarder) {
        if (loader == null) {
            return;
        }
        Map<String, Boolean> bridges = known.get(loader);
        if (bridges == null) {
            bridges = new HashMap<>();
            known.put(loader, bridges);
        }
        Boolean reachable = bridges.get(bridge.getName());
        if (reachable == null) {
            String problem = reach(loader, bridge, forwarder);
            reachable = problem == null;
            bridges.put(bridge.getName(), reachable);
            if (problem != null) {
                throw new IllegalStateException(problem);
            }
        } else if (!reachable) {
            throw new IllegalStateException("its class loader " + loader + " cannot reach " + bridge.getName());
        }
    }

    /** Null when {@code loader}'s classes reach {@code bridge} now, else why not. */
    private String reach(ClassLoader loader, Class<?> bridge, Class<?> forwarder) {
        // An OSGi bundle's loader answers the agent otherwise than its own classes: Felix's implicit boot delegation
        // gives a caller from outside the framework (this class) the parent's classes, the bundle's classes not
        // (Karaf's Jetty bundle: IsolatingDistributionsIT). What it answers here proves nothing: a bundle gets the
        // forwarder.
        boolean bundle = isOsgiBundle(loader);
        Class<?> found = bundle ? null : find(loader, bridge.getName());
        if (found == bridge) {
            return null;
        }
        if (found != null) {
            return "its class loader " + loader + " has a class " + bridge.getName() + " of its own";
        }
        try {
            Class<?> defined = defineForwarder(loader, bridge, forwarder);
            if (bundle) {
                // the JVM resolves a name in the classes its loader defined first: the bundle's classes reach this one
                Constructor<?> initializing = defined.getDeclaredConstructor();
                initializing.setAccessible(true);
                initializing.newInstance(); // runs its lookup of the real bridge now (loadClass would be answered as above)
                return null;
            }
            Class.forName(bridge.getName(), true, loader); // runs its lookup of the real bridge now, not in a hook
            if (find(loader, bridge.getName()) != defined) {
                return "its class loader " + loader + " does not find the forwarder defined in it";
            }
            return null;
        } catch (Throwable t) {
            return "its class loader " + loader + " does not delegate " + bridge.getName() + " to the bootstrap loader,"
                    + " and a forwarder could not be defined in it (" + t + ")";
        }
    }

    /** Felix's and Equinox's bundle loaders implement BundleReference; by name: the agent does not see OSGi's API. */
    static boolean isOsgiBundle(ClassLoader loader) {
        for (Class<?> type = loader.getClass(); type != null; type = type.getSuperclass()) {
            for (Class<?> implemented : type.getInterfaces()) {
                if (implemented.getName().equals("org.osgi.framework.BundleReference")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Class<?> find(ClassLoader loader, String name) {
        try {
            return loader.loadClass(name);
        } catch (ClassNotFoundException | LinkageError notThere) {
            return null;
        }
    }

    private Class<?> defineForwarder(ClassLoader loader, Class<?> bridge, Class<?> forwarder) throws Exception {
        byte[] template = classFile(forwarder);
        byte[] renamed = renamed(template, forwarder.getName().replace('.', '/'), bridge.getName().replace('.', '/'));
        if (defineClass == null) {
            if (NativeAccess.hasModules()) {
                ModuleAccess.openPackage(inst, ClassLoader.class, "java.lang", BridgeVisibility.class);
            }
            Method define = ClassLoader.class.getDeclaredMethod("defineClass", String.class, byte[].class, int.class,
                    int.class);
            define.setAccessible(true);
            defineClass = define;
        }
        return (Class<?>) defineClass.invoke(loader, bridge.getName(), renamed, 0, renamed.length);
    }

    private static byte[] classFile(Class<?> type) throws IOException {
        String resource = type.getName().replace('.', '/') + ".class";
        ClassLoader own = type.getClassLoader();
        try (InputStream in = own == null ? ClassLoader.getSystemResourceAsStream(resource)
                : own.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no class file for " + type.getName());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
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
