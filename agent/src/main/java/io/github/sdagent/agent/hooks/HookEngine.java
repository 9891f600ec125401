package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.lifecycle.HookListener;
import io.github.sdagent.agent.hooks.HookSpec;
import io.github.sdagent.agent.bridge.HookBridge;
import io.github.sdagent.agent.hooks.ClassInfo.MethodInfo;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The ready-hook engine, one per JVM (the bridge has one dispatcher), and the only class file transformer the
 * hooks register. The agent sits on every service's start path, so for every class the JVM loads or retransforms
 * the transformer does one hash lookup of the class name and returns; only the exact names of hooked classes (and
 * of the classes declaring their inherited methods) are parsed and rewritten, by {@link HookWeaver}.
 *
 * <p>For a hook {@code C#m}: when a copy of C loads (in any class loader) the spec is resolved on C. A static
 * method, an interface's default method or an instance method declared in C itself is hooked right away. For
 * instance methods C's constructors report each new instance too: the first construction of each runtime class R
 * (C or a subclass) finds the implementation of m that R's instances run (perhaps inherited from a superclass D,
 * perhaps an override) and, if that method is not hooked yet, retransforms D synchronously before the constructor
 * returns, so no call can be missed. A call counts only when its receiver's runtime class was bound to exactly
 * that method for this hook (so a Jetty connector's {@code start()}, inherited from the same
 * {@code AbstractLifeCycle}, never counts for {@code Server#start}), and only the outermost such call per
 * instance and thread.
 *
 * <p>When C is an interface and m is abstract there, C's implementors take C's place: the transformer then also reads
 * the interface list in the header of each class file (no full parse) and treats a class that lists C, or a
 * sub-interface of C it knows, like a named class: its constructors report each new instance and binding finds
 * the implementation its runtime class runs. An interface listing C (or a known sub-interface) becomes a known
 * sub-interface. Because an implementor's class file is transformed before the JVM loads its interfaces, the
 * header is also read while some named class has not loaded yet (its kind is unknown until then): a class listing
 * a named class directly proves that class an interface, whose class file is then read to resolve the method. An
 * unknown interface a class lists is read (its header, once per name; not for JDK classes and {@code java.*}
 * interfaces) only once an interface hook is known. With only class hooks, once their classes have loaded, the
 * transformer is back to one hash lookup per class. Limits: an implementor defined before the named interface
 * loads, reaching it only through a sub-interface that has not loaded either, and implementors loaded before
 * {@code install}, are not covered.
 */
public final class HookEngine implements HookBridge.Dispatcher, ClassFileTransformer {

    private static final int NO_SITE = -1;
    private static HookEngine instance;

    private final Instrumentation inst;
    /** internal names (a/b/C) of the classes the transformer rewrites */
    private final Set<String> watched = ConcurrentHashMap.newKeySet();
    private final List<Hook> hooks = new CopyOnWriteArrayList<>();
    private final List<Site> sites = new CopyOnWriteArrayList<>();
    private final Map<String, List<Hook>> hooksByClassName = new ConcurrentHashMap<>();
    /**
     * Inherited methods expected in a superclass of a named class that just loaded: the JVM loads the superclass
     * right after, so it can be hooked as it loads instead of being retransformed later.
     */
    private final Map<String, List<Expected>> expectedByClassName = new ConcurrentHashMap<>();
    /**
     * Interfaces (binary names) whose implementors are hooked: an interface named by a hook whose method is abstract
     * there, and its known sub-interfaces. Only read while {@link #readHeaders} is set.
     */
    private final Map<String, Set<Hook>> hooksByInterface = new ConcurrentHashMap<>();
    /** interface -> its known sub-interfaces in {@link #hooksByInterface}, which get every hook it gets */
    private final Map<String, Set<String>> subInterfaces = new ConcurrentHashMap<>();
    /** interfaces whose class files were read and that extend no interface of {@link #hooksByInterface} */
    private final Set<String> unrelatedInterfaces = ConcurrentHashMap.newKeySet();
    /**
     * Whether the transformer reads the interface list of every class: while an interface hook is known, or a named
     * class has not loaded yet (it may be an interface whose implementors load first). False, so free, otherwise.
     */
    private volatile boolean readHeaders;
    /** recognises relocated copies of preset classes; null unless presets are installed (see {@link #installOptional}) */
    private volatile NameMatcher matcher;
    private volatile HookListener matcherListener;
    /** class loader (weak) -> class name -> hooked methods of that class */
    private final Map<ClassLoader, Map<String, List<Site>>> sitesByLoader =
            Collections.synchronizedMap(new WeakHashMap<>());
    /** time spent rewriting classes and binding runtime classes, on whatever thread needed it (see {@link #workNanos}) */
    private final AtomicLong workNanos = new AtomicLong();
    private final ThreadLocal<List<Frame>> frames = new ThreadLocal<List<Frame>>() {
        @Override
        protected List<Frame> initialValue() {
            return new ArrayList<>();
        }
    };
    private final ClassValue<RuntimeClass> runtimeClasses = new ClassValue<RuntimeClass>() {
        @Override
        protected RuntimeClass computeValue(Class<?> type) {
            return new RuntimeClass();
        }
    };

    private HookEngine(Instrumentation inst) {
        this.inst = inst;
    }

    /** The JVM's engine; the first call installs the bridge dispatcher and registers the transformer. */
    public static synchronized HookEngine instance(Instrumentation inst, Consumer<ClassFileTransformer> transformers) {
        if (instance == null) {
            linkPerClassPath();
            HookEngine engine = new HookEngine(inst);
            BridgeDispatcher.claimBridge(); // normally claimed already by AgentMain (tests come here directly)
            BridgeDispatcher.INSTANCE.forwardTo(engine);
            transformers.accept(engine);
            instance = engine;
        }
        return instance;
    }

    /**
     * Links and initialises the classes the transformer needs for any class an application thread loads (the header
     * reader, the class-file reader), here on the thread that creates the engine (the agent's start-up thread), before
     * the transformer is registered. Left to the first transform, ClassReader's verification, which loads
     * java.lang.AssertionError, could run on an agent thread while an application thread that is loading AssertionError
     * waits in this transformer for ClassReader: the JVM lets neither go on, ever (a Spring Boot start hung silently
     * so, docs/hang-investigation.md; ClassLoadingRaceIT). Loading alone is not enough: verification comes with linking.
     */
    private static void linkPerClassPath() {
        for (String name : new String[] {ClassReader.class.getName(), ClassInfo.class.getName()}) {
            try {
                Class.forName(name, true, HookEngine.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // the transformer meets the same problem where it needs the class, and reports it there
            }
        }
    }

    /**
     * Adds hooks and returns at once. A daemon thread loads the weaving code ahead of need, hooks classes that
     * were loaded before now, and reports after the grace period which classes never loaded.
     */
    public void install(List<HookSpec> specs, HookListener listener, long graceMillis) {
        install(specs, listener, graceMillis, null);
    }

    private void install(List<HookSpec> specs, HookListener listener, long graceMillis, CallTarget target) {
        long installedAt = System.nanoTime();
        List<Hook> added = addHooks(specs, listener, false, target);
        // No lambdas on this path: the first one in a JVM costs tens of milliseconds of java.lang.invoke setup.
        Thread thread = new Thread(new Runnable() {
            @Override
            public void run() {
                warmUp();
                retransformAlreadyLoaded(added);
                long waitNanos = graceMillis * 1_000_000L - (System.nanoTime() - installedAt);
                try {
                    if (waitNanos > 0) {
                        Thread.sleep(waitNanos / 1_000_000L, (int) (waitNanos % 1_000_000L));
                    }
                } catch (InterruptedException e) {
                    return;
                }
                HookDiagnostics.reportNeverLoaded(inst, added, graceMillis);
                for (Hook hook : added) {
                    hook.expired = true;
                }
                updateHeaderReading();
            }
        }, "sd-agent-hooks");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Adds optional hooks (ready presets): their classes may never load, which is reported to nobody; and, when
     * {@code matcher} is not null, from now on a class whose name the matcher recognises (a relocated copy of a
     * preset class) is hooked with the specs it returns, also when it loaded before now. Returns at once.
     */
    public void installOptional(List<HookSpec> specs, HookListener listener, NameMatcher matcher) {
        List<Hook> added = addHooks(specs, listener, true, null);
        if (matcher != null) {
            synchronized (this) {
                this.matcherListener = listener;
                this.matcher = matcher;
            }
        }
        Thread thread = new Thread(new Runnable() {
            @Override
            public void run() {
                warmUp();
                retransformAlreadyLoaded(added);
            }
        }, "sd-agent-hooks");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Recognises classes to hook by a name test of its own: relocated (shaded) copies of preset classes such as
     * {@code com.acme.shaded.org.eclipse.jetty.server.Server}.
     */
    public interface NameMatcher {
        /**
         * The hooks for the class with this internal name ({@code a/b/C}), or null (almost always). Called for every
         * class the JVM loads that no hook names, so it must be one cheap test.
         */
        List<HookSpec> specsFor(String internalName);
    }

    private synchronized List<Hook> addHooks(List<HookSpec> specs, HookListener listener, boolean optional,
                                          CallTarget target) {
        List<Hook> added = new ArrayList<>();
        for (HookSpec spec : specs) {
            Hook hook = new Hook(hooks.size(), spec, listener, optional, target);
            hooks.add(hook);
            added.add(hook);
            List<Hook> named = hooksByClassName.get(spec.className());
            if (named == null) {
                named = new CopyOnWriteArrayList<>();
                hooksByClassName.put(spec.className(), named);
            }
            named.add(hook);
            watched.add(spec.className().replace('.', '/'));
        }
        updateHeaderReading();
        return added;
    }

    /**
     * Loads the parsing and weaving classes (about 40, mostly ASM) and the exit path's off the application's threads,
     * on a class made up in memory (reading a real one would drag in the JDK's resource and jimage machinery).
     */
    static void warmUp() {
        try {
            ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
            writer.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC, "sdagent/WarmUp", null, "java/lang/Object", null);
            MethodVisitor method = writer.visitMethod(Opcodes.ACC_PUBLIC, "start", "()V", null, null);
            method.visitCode();
            method.visitInsn(Opcodes.RETURN);
            method.visitMaxs(0, 0);
            method.visitEnd();
            writer.visitEnd();
            byte[] classFile = writer.toByteArray();
            ClassInfo info = ClassInfo.parse(classFile);
            MethodResolver.resolve(info, new ClassInfo.Source() {
                @Override
                public ClassInfo find(String binaryName) {
                    return null;
                }
            }, HookSpec.parse("sdagent.WarmUp#start"));
            HookWeaver.weave(classFile, Collections.singletonMap("start()V", Collections.singletonList(0)),
                    Collections.singletonList(0));
            // the exit path's class: loaded and verified here, not on the application's thread as READY goes out
            Class.forName(HookCompletion.class.getName(), true, HookEngine.class.getClassLoader());
        } catch (Throwable ignored) {
            // only a warm-up: the real work reports its own problems
        }
    }

    /**
     * Total time spent parsing and rewriting hooked classes as they load and binding runtime classes (including
     * the retransformations that triggers): almost all of it on application threads, so the hooks' cost on the
     * start path beyond {@link #install} itself. The name lookup done for every other class is not included.
     * For benchmarks and debug logs.
     */
    public long workNanos() {
        return workNanos.get();
    }

    // ---- the transformer ----

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classFile) {
        if (internalName == null) {
            return null;
        }
        Set<Hook> implemented = null;
        if (readHeaders) {
            try {
                implemented = implementedInterfaceHooks(loader, internalName, classFile);
            } catch (Throwable t) {
                implemented = null; // not a header ASM can read: the JVM will say so itself
            }
        }
        if (implemented == null && !watched.contains(internalName)) {
            NameMatcher names = matcher;
            List<HookSpec> adopted = names == null ? null : names.specsFor(internalName);
            if (adopted == null) {
                return null;
            }
            addHooks(adopted, matcherListener, true, null);
        }
        String name = internalName.replace('/', '.');
        long started = System.nanoTime();
        try {
            return weave(loader, name, classFile, classBeingRedefined == null, implemented);
        } catch (Throwable t) {
            reportFor(name, "could not instrument " + name + ": " + t);
            return null;
        } finally {
            if (classBeingRedefined == null) { // a retransformation is counted by whoever asked for it
                workNanos.addAndGet(System.nanoTime() - started);
            }
        }
    }

    private byte[] weave(ClassLoader loader, String name, byte[] classFile, boolean loading, Set<Hook> implemented) {
        List<Integer> constructorHooks = new ArrayList<>();
        if (implemented != null) {
            for (Hook hook : implemented) {
                constructorHooks.add(hook.id);
            }
        }
        List<Expected> expected = loading ? expectedByClassName.remove(name) : null;
        if (expected != null) {
            for (Expected method : expected) {
                siteFor(method.hook, loader, name, method.name, method.descriptor, false);
            }
        }
        List<Hook> named = hooksByClassName.get(name);
        if (named != null) {
            ClassInfo type = ClassInfo.parse(classFile);
            ClassInfo.Source loaderSource = ClassInfo.Source.of(loader);
            ClassInfo.Source source = new ClassInfo.Source() {
                @Override
                public ClassInfo find(String binaryName) {
                    return binaryName.equals(name) ? type : loaderSource.find(binaryName);
                }
            };
            for (Hook hook : named) {
                hook.seen = true;
                if (loading) {
                    hook.wovenAtLoad(loader);
                }
                if (hook.target != null) {
                    resolveTarget(hook, type, source, loader, constructorHooks);
                } else {
                    resolveOnLoad(hook, type, source, loader, constructorHooks);
                }
            }
            updateHeaderReading();
        }
        List<Site> classSites = sitesOf(loader, name);
        if (classSites.isEmpty() && constructorHooks.isEmpty()) {
            return null;
        }
        // an OSGi bundle or a JBoss module may not see the bridge: a forwarder then, or no weaving (never a failing app)
        BridgeVisibility.of(inst).require(loader, io.github.sdagent.agent.bridge.HookBridge.class,
                "io.github.sdagent.agent.hooks.HookBridgeForwarder");
        HookModules.readBridge(inst, loader, name);
        Map<String, List<Integer>> bySignature = new HashMap<>();
        for (Site site : classSites) {
            List<Integer> ids = bySignature.get(site.methodName + site.descriptor);
            if (ids == null) {
                ids = new ArrayList<>();
                bySignature.put(site.methodName + site.descriptor, ids);
            }
            ids.add(site.id);
        }
        byte[] woven = HookWeaver.weave(classFile, bySignature, constructorHooks);
        for (Site site : classSites) {
            site.applied = true;
        }
        return woven;
    }

    /** Hooks what can be hooked when the named class loads; notes whether its constructors must report. */
    private void resolveOnLoad(Hook hook, ClassInfo type, ClassInfo.Source source, ClassLoader loader,
                               List<Integer> constructorHooks) {
        MethodResolver.Resolution resolution = MethodResolver.resolve(type, source, hook.spec);
        if (resolution.problem != null) {
            hook.report(resolution.problem);
            return;
        }
        MethodInfo method = resolution.method;
        String declaringType = method.owner.name;
        boolean declaredHere = declaringType.equals(type.name);
        if (type.isInterface && method.is(Opcodes.ACC_ABSTRACT)) {
            synchronized (this) {
                hook.resolutions.put(loader, resolution);
            }
            hookImplementorsOf(type.name, Collections.singleton(hook));
        } else if (method.is(Opcodes.ACC_STATIC) || type.isInterface) {
            if (!declaredHere) {
                hook.report("ready hook " + hook.spec + ": " + method.name + " is declared in " + declaringType
                        + "; hook " + declaringType + "#" + method.name + " instead");
            } else {
                siteFor(hook, loader, type.name, method.name, method.descriptor, true);
            }
        } else {
            constructorHooks.add(hook.id);
            synchronized (this) {
                hook.resolutions.put(loader, resolution);
            }
            if (method.is(Opcodes.ACC_ABSTRACT)) {
                return; // the implementation is found when an instance is constructed
            }
            if (declaredHere) {
                siteFor(hook, loader, type.name, method.name, method.descriptor, false);
            } else {
                expect(new Expected(hook, declaringType, method.name, method.descriptor));
            }
        }
    }

    // ---- call targets (reload=): the class and its latest instance are tracked, no method is hooked ----

    /**
     * Tracks where {@code spec}'s method can be called later, with the class loading and constructor reports the
     * ready hooks use: {@code listener} gets only {@link HookListener#problem} (resolution problems, a class that
     * never loaded), never a returned or failed call. Returns at once.
     */
    public CallTarget track(HookSpec spec, HookListener listener, long graceMillis) {
        CallTarget target = new CallTarget(spec);
        install(Collections.singletonList(spec), listener, graceMillis, target);
        return target;
    }

    /** As {@link #resolveOnLoad}, but the constructors only report instances to the target (no site, no binding). */
    private void resolveTarget(Hook hook, ClassInfo type, ClassInfo.Source source, ClassLoader loader,
                               List<Integer> constructorHooks) {
        MethodResolver.Resolution resolution = MethodResolver.resolve(type, source, hook.spec);
        if (resolution.problem != null) {
            hook.report(resolution.problem);
            return;
        }
        hook.target.resolved(loader, resolution.method);
        if (type.isInterface && resolution.method.is(Opcodes.ACC_ABSTRACT)) {
            hookImplementorsOf(type.name, Collections.singleton(hook)); // their constructors report
        } else if (!resolution.method.is(Opcodes.ACC_STATIC)) {
            constructorHooks.add(hook.id);
        }
    }

    // ---- implementors of hooked interfaces ----

    /** From now on, classes listing {@code interfaceName} are hooked for {@code added} (and interfaces listing it extend it). */
    private synchronized void hookImplementorsOf(String interfaceName, Set<Hook> added) {
        Set<Hook> known = hooksByInterface.get(interfaceName);
        if (known == null) {
            known = new CopyOnWriteArraySet<>();
            hooksByInterface.put(interfaceName, known);
        }
        if (known.addAll(added)) {
            unrelatedInterfaces.clear(); // they may extend this one
            for (String sub : subInterfaces.getOrDefault(interfaceName, Collections.emptySet())) {
                hookImplementorsOf(sub, added);
            }
        }
        updateHeaderReading();
    }

    /** {@code sub} lists {@code parent}, a hooked interface. */
    private void extended(String parent, String sub) {
        Set<String> subs = subInterfaces.get(parent);
        if (subs == null) {
            subInterfaces.putIfAbsent(parent, ConcurrentHashMap.newKeySet());
            subs = subInterfaces.get(parent);
        }
        subs.add(sub);
    }

    private synchronized void updateHeaderReading() {
        boolean read = !hooksByInterface.isEmpty();
        for (int i = 0; !read && i < hooks.size(); i++) {
            read = !hooks.get(i).seen && !hooks.get(i).expired && !hooks.get(i).optional;
        }
        readHeaders = read;
    }

    /**
     * The interface hooks a class takes part in, from the interface list in its header; null when none. An interface
     * listing a hooked interface becomes a known sub-interface (and takes part in nothing itself).
     */
    private Set<Hook> implementedInterfaceHooks(ClassLoader loader, String internalName, byte[] classFile) {
        ClassReader header = new ClassReader(classFile);
        String[] interfaces = header.getInterfaces();
        if (interfaces.length == 0) {
            return null;
        }
        Set<Hook> found = null;
        boolean isInterface = (header.getAccess() & Opcodes.ACC_INTERFACE) != 0;
        for (String itf : interfaces) {
            Set<Hook> hooksOf = interfaceHooks(loader, itf.replace('/', '.'), 0);
            if (hooksOf != null && !hooksOf.isEmpty()) {
                if (found == null) {
                    found = new HashSet<>();
                }
                found.addAll(hooksOf);
                if (isInterface) {
                    extended(itf.replace('/', '.'), internalName.replace('/', '.'));
                }
            }
        }
        if (found != null && isInterface) {
            hookImplementorsOf(internalName.replace('/', '.'), found);
            return null;
        }
        return found;
    }

    /**
     * The hooks of a listed interface: known ones; else, read from its class file (once per name): those of a named
     * class not loaded yet (listed, so an interface) whose method is abstract there, and, once an interface hook is
     * known, those of the interfaces it extends.
     */
    private Set<Hook> interfaceHooks(ClassLoader loader, String name, int depth) {
        Set<Hook> known = hooksByInterface.get(name);
        if (known != null) {
            return known;
        }
        List<Hook> named = hooksByClassName.get(name);
        if (unrelatedInterfaces.contains(name) || depth > 16
                || named == null && (hooksByInterface.isEmpty() || loader == null || name.startsWith("java."))) {
            return null;
        }
        byte[] classFile = ClassInfo.classFile(loader, name);
        Set<Hook> found = new HashSet<>();
        if (classFile != null && named != null) {
            found.addAll(abstractIn(ClassInfo.parse(classFile), loader, named));
        }
        if (classFile != null && (!found.isEmpty() || !hooksByInterface.isEmpty())) {
            for (String parent : new ClassReader(classFile).getInterfaces()) {
                Set<Hook> hooksOf = interfaceHooks(loader, parent.replace('/', '.'), depth + 1);
                if (hooksOf != null && !hooksOf.isEmpty()) {
                    found.addAll(hooksOf);
                    extended(parent.replace('/', '.'), name);
                }
            }
        }
        if (found.isEmpty()) {
            unrelatedInterfaces.add(name);
            return null;
        }
        hookImplementorsOf(name, found);
        return found;
    }

    /** The hooks among {@code named} whose method is abstract in the interface {@code type}. */
    private static Set<Hook> abstractIn(ClassInfo type, ClassLoader loader, List<Hook> named) {
        Set<Hook> abstractHere = new HashSet<>();
        for (Hook hook : named) {
            MethodResolver.Resolution resolution = MethodResolver.resolve(type, ClassInfo.Source.of(loader), hook.spec);
            if (resolution.method != null && type.isInterface && resolution.method.is(Opcodes.ACC_ABSTRACT)) {
                abstractHere.add(hook); // problems are reported when the interface itself loads
            }
        }
        return abstractHere;
    }

    private List<Site> sitesOf(ClassLoader loader, String className) {
        Map<String, List<Site>> byName = sitesByLoader.get(loader);
        List<Site> found = byName == null ? null : byName.get(className);
        return found == null ? Collections.emptyList() : found;
    }

    private Site existingSite(Hook hook, ClassLoader loader, String className, String methodName,
                              String descriptor) {
        for (Site site : sitesOf(loader, className)) {
            if (site.hook == hook && site.methodName.equals(methodName) && site.descriptor.equals(descriptor)) {
                return site;
            }
        }
        return null;
    }

    private synchronized void expect(Expected method) {
        List<Expected> expected = expectedByClassName.get(method.className);
        if (expected == null) {
            expected = new CopyOnWriteArrayList<>();
            expectedByClassName.put(method.className, expected);
        }
        expected.add(method);
        watched.add(method.className.replace('.', '/'));
    }

    /** The site hooking {@code method} of class {@code className} in {@code loader} for {@code hook}; created if new. */
    private synchronized Site siteFor(Hook hook, ClassLoader loader, String className, String methodName,
                                      String descriptor, boolean anyInstance) {
        Site existing = existingSite(hook, loader, className, methodName, descriptor);
        if (existing != null) {
            return existing;
        }
        Site site = new Site(sites.size(), hook, className, methodName, descriptor, anyInstance);
        sites.add(site);
        Map<String, List<Site>> byName = sitesByLoader.get(loader);
        if (byName == null) {
            byName = new ConcurrentHashMap<>();
            sitesByLoader.put(loader, byName);
        }
        List<Site> classSites = byName.get(className);
        if (classSites == null) {
            classSites = new CopyOnWriteArrayList<>();
            byName.put(className, classSites);
        }
        classSites.add(site);
        return site;
    }

    // ---- the dispatcher, called by woven code through the bridge ----

    @Override
    public void constructed(int hookId, Object instance) {
        CallTarget target = hooks.get(hookId).target;
        if (target != null) {
            target.constructed(instance);
            return;
        }
        Class<?> runtime = instance.getClass();
        RuntimeClass state = runtimeClasses.get(runtime);
        if (state.isBound(hookId)) {
            return;
        }
        synchronized (this) {
            if (state.isBound(hookId)) {
                return;
            }
            Hook hook = hooks.get(hookId);
            int site = NO_SITE;
            long started = System.nanoTime();
            try {
                site = bind(hook, runtime);
            } catch (Throwable t) {
                hook.report("ready hook " + hook.spec + ": could not hook " + runtime.getName() + ": " + t);
            } finally {
                workNanos.addAndGet(System.nanoTime() - started);
            }
            state.bind(hookId, site);
        }
    }

    /** Finds and, if needed, hooks the method that {@code runtime}'s instances run for {@code hook}. */
    private int bind(Hook hook, Class<?> runtime) throws Exception {
        Class<?> named = findInHierarchy(runtime, hook.spec.className());
        MethodResolver.Resolution resolution = hook.resolutions.get(named.getClassLoader()); // from its loading
        if (resolution == null) {
            resolution = MethodResolver.resolve(describe(named), ClassInfo.Source.of(named.getClassLoader()), hook.spec);
            hook.resolutions.put(named.getClassLoader(), resolution);
        }
        if (resolution.problem != null || resolution.method.is(Opcodes.ACC_STATIC)) {
            return NO_SITE; // reported when the class loaded; static methods are hooked then too
        }
        MethodInfo implementation = runtime == named && !resolution.method.is(Opcodes.ACC_ABSTRACT)
                ? resolution.method // the common case, no class file to read
                : MethodResolver.implementation(describe(runtime), ClassInfo.Source.of(runtime.getClassLoader()),
                        resolution.method);
        if (implementation == null) {
            hook.report("ready hook " + hook.spec + ": " + runtime.getName() + " has no implementation of "
                    + resolution.method.name + resolution.method.parameterNames());
            return NO_SITE;
        }
        Class<?> declaring = findInHierarchy(runtime, implementation.owner.name);
        boolean known = existingSite(hook, declaring.getClassLoader(), declaring.getName(), implementation.name,
                implementation.descriptor) != null;
        Site site = siteFor(hook, declaring.getClassLoader(), declaring.getName(), implementation.name,
                implementation.descriptor, false);
        if (!known) {
            instrument(hook, declaring, site);
        }
        return site.id;
    }

    private void instrument(Hook hook, Class<?> declaring, Site site) throws Exception {
        if (!inst.isModifiableClass(declaring)) {
            hook.report("ready hook " + hook.spec + ": cannot instrument " + declaring.getName()
                    + " (the JVM does not allow modifying it)");
            return;
        }
        watched.add(declaring.getName().replace('.', '/'));
        HookModules.readBridge(inst, declaring);
        inst.retransformClasses(declaring);
        if (!site.applied) {
            hook.report("ready hook " + hook.spec + ": could not instrument " + declaring.getName() + "#"
                    + site.methodName);
        }
    }

    @Override
    public void enter(int siteId, Object self) {
        Site site = sites.get(siteId);
        List<Frame> stack = frames.get();
        boolean counted = site.anyInstance
                || self != null && runtimeClasses.get(self.getClass()).site(site.hook.id) == siteId;
        for (int i = 0; counted && i < stack.size(); i++) {
            Frame outer = stack.get(i);
            counted = !(outer.counted && outer.site.hook == site.hook && outer.self == self); // only the outermost call
        }
        stack.add(new Frame(site, self, counted));
        if (counted) {
            site.hook.entered();
        }
    }

    @Override
    public void exit(int siteId, Object returned, Throwable thrown) {
        List<Frame> stack = frames.get();
        for (int i = stack.size() - 1; i >= 0; i--) {
            if (stack.get(i).site.id == siteId) {
                Frame frame = stack.remove(i);
                if (frame.counted) {
                    HookCompletion.reportWhenDone(frame.site.hook, frame.self, returned, thrown);
                }
                return;
            }
        }
    }

    // ---- helpers ----

    /** From the class file where there is one (a proxy or other generated class has none). */
    private static ClassInfo describe(Class<?> type) {
        ClassInfo info = ClassInfo.Source.of(type.getClassLoader()).find(type.getName());
        return info != null ? info : ClassInfo.reflect(type);
    }

    private static Class<?> findInHierarchy(Class<?> runtime, String name) {
        Deque<Class<?>> pending = new ArrayDeque<>();
        pending.add(runtime);
        while (!pending.isEmpty()) {
            Class<?> type = pending.removeFirst();
            if (type.getName().equals(name)) {
                return type;
            }
            if (type.getSuperclass() != null) {
                pending.add(type.getSuperclass());
            }
            Collections.addAll(pending, type.getInterfaces());
        }
        throw new IllegalStateException(name + " is not a supertype of " + runtime.getName());
    }

    private void retransformAlreadyLoaded(List<Hook> added) {
        Set<String> names = new HashSet<>();
        for (Hook hook : added) {
            names.add(hook.spec.className());
        }
        List<Class<?>> loaded = new ArrayList<>();
        NameMatcher shadedNames = matcher;
        for (Class<?> type : inst.getAllLoadedClasses()) {
            if (!inst.isModifiableClass(type)) {
                continue;
            }
            if (names.contains(type.getName())) {
                if (!wovenAtLoad(added, type)) {
                    loaded.add(type);
                }
            } else if (shadedNames != null && !watched.contains(type.getName().replace('.', '/'))) {
                List<HookSpec> adopted = shadedNames.specsFor(type.getName().replace('.', '/'));
                if (adopted != null) {
                    addHooks(adopted, matcherListener, true, null);
                    loaded.add(type);
                }
            }
        }
        for (Class<?> type : loaded) {
            try {
                HookModules.readBridge(inst, type);
                inst.retransformClasses(type);
            } catch (Throwable t) {
                reportFor(type.getName(), "could not instrument already loaded " + type.getName() + ": " + t);
            }
        }
    }

    /**
     * Whether every hook of {@code added} naming {@code type} already went through the transformer when this copy of
     * the class loaded (it loaded after the hooks were added, typically held by the start gate until then): it is
     * woven, and a retransformation would weave it again and stop the JVM at a safepoint for nothing (for a hooked
     * main class, in the middle of the application's start-up).
     */
    private static boolean wovenAtLoad(List<Hook> added, Class<?> type) {
        for (Hook hook : added) {
            if (hook.spec.className().equals(type.getName()) && !hook.isWovenAtLoad(type.getClassLoader())) {
                return false;
            }
        }
        return true;
    }

    /** To the hooks naming the class or hooking one of its methods (each reports a message once). */
    private void reportFor(String className, String message) {
        Set<Hook> concerned = Collections.newSetFromMap(new IdentityHashMap<>());
        concerned.addAll(hooksByClassName.getOrDefault(className, Collections.emptyList()));
        for (Site site : sites) {
            if (site.className.equals(className)) {
                concerned.add(site.hook);
            }
        }
        for (Hook hook : concerned) {
            hook.report("ready hook " + hook.spec + ": " + message);
        }
    }

    // ---- state ----

    /** One {@code ready=} spec. */
    static final class Hook {
        final int id;
        final HookSpec spec;
        final HookListener listener;
        /**
         * a ready preset's hook: its class may never load (most apps use none of the presets), so no report, and no
         * reason to read class headers
         */
        final boolean optional;
        /** non-null for a call target (reload=): no method is hooked, constructors report to it */
        final CallTarget target;
        volatile boolean seen;
        /** the grace period is over (reported if never seen) */
        volatile boolean expired;
        /** resolution of the spec per class loader that loaded a copy of the named class; guarded by the engine */
        final Map<ClassLoader, MethodResolver.Resolution> resolutions = new WeakHashMap<>();
        /** the class loaders whose copy of the named class the transformer saw load after this hook was added */
        private final Map<ClassLoader, Boolean> wovenAtLoad = new WeakHashMap<>();
        private final Set<String> reported = ConcurrentHashMap.newKeySet();

        synchronized void wovenAtLoad(ClassLoader loader) {
            wovenAtLoad.put(loader, Boolean.TRUE); // WeakHashMap takes null: the bootstrap loader
        }

        synchronized boolean isWovenAtLoad(ClassLoader loader) {
            return wovenAtLoad.containsKey(loader);
        }

        Hook(int id, HookSpec spec, HookListener listener, boolean optional, CallTarget target) {
            this.id = id;
            this.spec = spec;
            this.listener = listener;
            this.optional = optional;
            this.target = target;
        }

        // The listener must never disturb the application, which may be in the middle of its start.

        void report(String message) {
            if (reported.add(message)) {
                try {
                    listener.problem(message);
                } catch (Throwable ignored) {
                    // the listener is the agent's own reporting: nothing else to tell
                }
            }
        }

        void entered() {
            try {
                listener.hookEntered(spec);
            } catch (Throwable ignored) {
                // as above
            }
        }

        void returned(Object self) {
            try {
                listener.hookReturned(spec, self);
            } catch (Throwable ignored) {
                // as above
            }
        }

        void failed(Throwable failure) {
            try {
                listener.hookFailed(spec, failure);
            } catch (Throwable ignored) {
                // as above
            }
        }
    }

    /** One hooked method of one class in one class loader, for one hook. */
    static final class Site {
        final int id;
        final Hook hook;
        final String className;
        final String methodName;
        final String descriptor;
        /** static methods and interface default methods: every call counts, no receiver check */
        final boolean anyInstance;
        volatile boolean applied;

        Site(int id, Hook hook, String className, String methodName, String descriptor, boolean anyInstance) {
            this.id = id;
            this.hook = hook;
            this.className = className;
            this.methodName = methodName;
            this.descriptor = descriptor;
            this.anyInstance = anyInstance;
        }
    }

    /** An inherited instance method whose declaring class has not loaded yet (or is loaded already: then unused). */
    private static final class Expected {
        final Hook hook;
        final String className;
        final String name;
        final String descriptor;

        Expected(Hook hook, String className, String name, String descriptor) {
            this.hook = hook;
            this.className = className;
            this.name = name;
            this.descriptor = descriptor;
        }
    }

    /** Per runtime class: which site (if any) counts for each hook. Holds no reference to the class. */
    static final class RuntimeClass {
        /** index = hook id; 0 = not bound yet, NO_SITE + 1 = bound to nothing, else site id + 1 */
        private volatile int[] siteByHook = new int[0];

        boolean isBound(int hook) {
            int[] current = siteByHook;
            return hook < current.length && current[hook] != 0;
        }

        int site(int hook) {
            int[] current = siteByHook;
            return hook < current.length ? current[hook] - 1 : NO_SITE;
        }

        /** Called under the engine's lock. */
        void bind(int hook, int site) {
            int[] updated = java.util.Arrays.copyOf(siteByHook, Math.max(siteByHook.length, hook + 1));
            updated[hook] = site + 1;
            siteByHook = updated;
        }
    }

    /** A call of a hooked method in progress on this thread. */
    private static final class Frame {
        final Site site;
        final Object self;
        /** the outermost call on a receiver bound to this site: its end is reported */
        final boolean counted;

        Frame(Site site, Object self, boolean counted) {
            this.site = site;
            this.self = self;
            this.counted = counted;
        }
    }
}
