package io.github.sdagent.agent.hooks;

import io.github.sdagent.agent.HookListener;
import io.github.sdagent.agent.HookSpec;
import io.github.sdagent.agent.bridge.HookBridge;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.pool.TypePool;

import static net.bytebuddy.matcher.ElementMatchers.hasDescriptor;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;

/**
 * The ready-hook engine, one per JVM (the bridge has one dispatcher).
 *
 * <p>For a hook {@code C#m}: when a copy of C loads (in any class loader) the spec is resolved on C. A static
 * method, an interface's default method or an instance method declared in C itself is advised right away. For
 * instance methods C's constructors get advice too: the first construction of each runtime class R (C or a
 * subclass) finds the implementation of m that R's instances run (perhaps inherited from a superclass D, perhaps
 * an override) and, if that method is not advised yet, retransforms D synchronously before the constructor
 * returns, so no call can be missed. A call counts only when its receiver's runtime class was bound to exactly
 * that method for this hook (so a Jetty connector's {@code start()}, inherited from the same
 * {@code AbstractLifeCycle}, never counts for {@code Server#start}), and only the outermost such call per
 * instance and thread.
 */
public final class HookEngine implements HookBridge.Dispatcher {

    private static final String ADVICE_PACKAGE = "io.github.sdagent.agent.hooks.";
    private static final int NO_SITE = -1;
    private static HookEngine instance;

    private final Instrumentation inst;
    private final HookGate gate;
    private final List<Hook> hooks = new CopyOnWriteArrayList<>();
    private final List<Site> sites = new CopyOnWriteArrayList<>();
    private final Map<String, List<Hook>> hooksByClassName = new ConcurrentHashMap<>();
    /** class loader (weak) -> class name -> advised methods of that class */
    private final Map<ClassLoader, Map<String, List<Site>>> sitesByLoader =
            Collections.synchronizedMap(new WeakHashMap<>());
    private final Set<String> engineProblems = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<List<Active>> activeCalls = ThreadLocal.withInitial(ArrayList::new);
    private final ClassValue<RuntimeClass> runtimeClasses = new ClassValue<RuntimeClass>() {
        @Override
        protected RuntimeClass computeValue(Class<?> type) {
            return new RuntimeClass();
        }
    };

    private HookEngine(Instrumentation inst) {
        this.inst = inst;
        this.gate = new HookGate(this::buildByteBuddy, this::reportToAll);
    }

    /** The JVM's engine; the first call installs the bridge dispatcher and the gate transformer. */
    public static synchronized HookEngine instance(Instrumentation inst) {
        if (instance == null) {
            HookEngine engine = new HookEngine(inst);
            HookBridge.install(engine);
            inst.addTransformer(engine.gate, true);
            instance = engine;
        }
        return instance;
    }

    /** Adds hooks; returns at once. Byte Buddy warms up and already loaded classes are handled in the background. */
    public void install(List<HookSpec> specs, HookListener listener, long graceMillis) {
        long installedAt = System.nanoTime();
        List<Hook> added = new ArrayList<>();
        synchronized (this) {
            for (HookSpec spec : specs) {
                Hook hook = new Hook(hooks.size(), spec, listener);
                hooks.add(hook);
                added.add(hook);
                hooksByClassName.computeIfAbsent(spec.className(), name -> new CopyOnWriteArrayList<>()).add(hook);
                gate.watch(spec.className());
            }
        }
        gate.warmUpInBackground("sd-agent-hooks", () -> {
            retransformAlreadyLoaded(added);
            long waitNanos = graceMillis * 1_000_000L - (System.nanoTime() - installedAt);
            try {
                if (waitNanos > 0) {
                    Thread.sleep(waitNanos / 1_000_000L, (int) (waitNanos % 1_000_000L));
                }
            } catch (InterruptedException e) {
                return;
            }
            reportNeverLoaded(added, graceMillis);
        });
    }

    /** Blocks until Byte Buddy is ready (for measurements and tests; hooks never need this). */
    public boolean awaitByteBuddy() {
        return gate.delegate() != null;
    }

    // ---- Byte Buddy side: which classes get which advice ----

    private ClassFileTransformer buildByteBuddy() {
        ClassFileLocator locator = HookGate.adviceLocator();
        TypePool advicePool = TypePool.Default.of(locator);
        TypeDescription methodAdvice = advicePool.describe(ADVICE_PACKAGE + "MethodAdvice").resolve();
        TypeDescription constructorAdvice = advicePool.describe(ADVICE_PACKAGE + "ConstructorAdvice").resolve();
        return HookGate.agentBuilder(this::reportToAll)
                .type((type, loader, module, classBeingRedefined, protectionDomain) ->
                        hooksByClassName.containsKey(type.getName()) || !sitesOf(loader, type.getName()).isEmpty())
                .transform((builder, type, loader, module, protectionDomain) ->
                        advise(builder, type, loader, methodAdvice, constructorAdvice, locator))
                .makeRaw();
    }

    private DynamicType.Builder<?> advise(DynamicType.Builder<?> builder, TypeDescription type, ClassLoader loader,
                                          TypeDescription methodAdvice, TypeDescription constructorAdvice,
                                          ClassFileLocator locator) {
        String name = type.getName();
        List<Hook> constructorHooks = new ArrayList<>();
        for (Hook hook : hooksByClassName.getOrDefault(name, Collections.emptyList())) {
            hook.seen = true;
            MethodResolver.Resolution resolution = MethodResolver.resolve(type, hook.spec);
            if (resolution.problem != null) {
                hook.report(resolution.problem);
                continue;
            }
            MethodDescription method = resolution.method;
            String declaringType = method.getDeclaringType().asErasure().getName();
            boolean declaredHere = declaringType.equals(name);
            if (method.isStatic() || type.isInterface()) {
                if (!declaredHere) {
                    hook.report("ready hook " + hook.spec + ": " + method.getName() + " is declared in "
                            + declaringType + "; hook " + declaringType + "#" + method.getName() + " instead");
                } else if (method.isAbstract()) {
                    hook.report("ready hook " + hook.spec + ": " + name + " is an interface and " + method.getName()
                            + " is abstract there; hook the class that implements it (interfaces are not scanned"
                            + " for implementations)");
                } else {
                    siteFor(hook, loader, name, method, true);
                }
            } else {
                constructorHooks.add(hook);
                if (declaredHere && !method.isAbstract()) {
                    siteFor(hook, loader, name, method, false);
                }
            }
        }
        if (!sitesOf(loader, name).isEmpty() || !constructorHooks.isEmpty()) {
            HookModules.readBridge(inst, loader, name);
        }
        for (Site site : sitesOf(loader, name)) {
            builder = builder.visit(Advice.withCustomMapping().bind(SiteId.class, site.id)
                    .to(methodAdvice, locator)
                    .on(named(site.methodName).and(hasDescriptor(site.descriptor))));
            site.applied = true;
        }
        for (Hook hook : constructorHooks) {
            builder = builder.visit(Advice.withCustomMapping().bind(HookId.class, hook.id)
                    .to(constructorAdvice, locator)
                    .on(isConstructor()));
        }
        return builder;
    }

    private List<Site> sitesOf(ClassLoader loader, String className) {
        Map<String, List<Site>> byName = sitesByLoader.get(loader);
        List<Site> found = byName == null ? null : byName.get(className);
        return found == null ? Collections.emptyList() : found;
    }

    /** The site advising {@code method} of class {@code className} in {@code loader} for {@code hook}; created if new. */
    private synchronized Site siteFor(Hook hook, ClassLoader loader, String className, MethodDescription method,
                                      boolean anyInstance) {
        String descriptor = method.getDescriptor();
        for (Site site : sitesOf(loader, className)) {
            if (site.hook == hook && site.methodName.equals(method.getName()) && site.descriptor.equals(descriptor)) {
                return site;
            }
        }
        Site site = new Site(sites.size(), hook, className, method.getName(), descriptor, anyInstance);
        sites.add(site);
        sitesByLoader.computeIfAbsent(loader, l -> new ConcurrentHashMap<>())
                .computeIfAbsent(className, n -> new CopyOnWriteArrayList<>()).add(site);
        return site;
    }

    // ---- the dispatcher, called by advice through the bridge ----

    @Override
    public void constructed(int hookId, Class<?> named, Object instance) {
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
            try {
                site = bind(hook, named, runtime);
            } catch (Throwable t) {
                hook.report("ready hook " + hook.spec + ": could not hook " + runtime.getName() + ": " + t);
            }
            state.bind(hookId, site);
        }
    }

    /** Finds and, if needed, advises the method that {@code runtime}'s instances run for {@code hook}. */
    private int bind(Hook hook, Class<?> named, Class<?> runtime) throws Exception {
        MethodResolver.Resolution resolution = hook.resolutions.get(named);
        if (resolution == null) {
            resolution = MethodResolver.resolve(describe(named), hook.spec);
            hook.resolutions.put(named, resolution);
        }
        if (resolution.problem != null || resolution.method.isStatic()) {
            return NO_SITE; // reported when the class loaded; static methods are advised then too
        }
        MethodDescription implementation = MethodResolver.implementation(describe(runtime), resolution.method);
        if (implementation == null) {
            hook.report("ready hook " + hook.spec + ": " + runtime.getName() + " has no implementation of "
                    + resolution.method.getName() + MethodResolver.parameterNames(resolution.method));
            return NO_SITE;
        }
        Class<?> declaring = findInHierarchy(runtime, implementation.getDeclaringType().asErasure().getName());
        boolean known = hasSite(hook, declaring.getClassLoader(), declaring.getName(), implementation);
        Site site = siteFor(hook, declaring.getClassLoader(), declaring.getName(), implementation, false);
        if (!known) {
            instrument(hook, declaring, site);
        }
        return site.id;
    }

    private boolean hasSite(Hook hook, ClassLoader loader, String className, MethodDescription method) {
        for (Site site : sitesOf(loader, className)) {
            if (site.hook == hook && site.methodName.equals(method.getName())
                    && site.descriptor.equals(method.getDescriptor())) {
                return true;
            }
        }
        return false;
    }

    private void instrument(Hook hook, Class<?> declaring, Site site) throws Exception {
        if (!inst.isModifiableClass(declaring)) {
            hook.report("ready hook " + hook.spec + ": cannot instrument " + declaring.getName()
                    + " (the JVM does not allow modifying it)");
            return;
        }
        gate.watch(declaring.getName());
        HookModules.readBridge(inst, declaring);
        inst.retransformClasses(declaring);
        if (!site.applied) {
            hook.report("ready hook " + hook.spec + ": could not instrument " + declaring.getName() + "#"
                    + site.methodName);
        }
    }

    @Override
    public Object enter(int siteId, Object self) {
        Site site = sites.get(siteId);
        if (!site.anyInstance && (self == null || runtimeClasses.get(self.getClass()).site(site.hook.id) != siteId)) {
            return null;
        }
        List<Active> active = activeCalls.get();
        for (Active call : active) {
            if (call.hook == site.hook && call.self == self) {
                return null; // a nested call: only the outermost one counts
            }
        }
        Active call = new Active(site.hook, self);
        active.add(call);
        return call;
    }

    @Override
    public void exit(Object token, Object returned, Throwable thrown) {
        Active call = (Active) token;
        activeCalls.get().remove(call);
        Hook hook = call.hook;
        if (thrown != null) {
            hook.failed(thrown);
            return;
        }
        CompletionStage<?> stage = asCompletionStage(returned);
        if (stage != null) {
            stage.whenComplete((value, failure) -> {
                if (failure == null) {
                    hook.returned();
                } else {
                    hook.failed(failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure);
                }
            });
        } else if (returned instanceof Future) {
            watch((Future<?>) returned, hook);
        } else {
            hook.returned();
        }
    }

    /** A CompletionStage, or a Vert.x-style future offering a public {@code toCompletionStage()}; else null. */
    private static CompletionStage<?> asCompletionStage(Object returned) {
        if (returned instanceof CompletionStage) {
            return (CompletionStage<?>) returned;
        }
        if (returned == null || returned instanceof Future) {
            return null;
        }
        Deque<Class<?>> pending = new ArrayDeque<>(Collections.<Class<?>>singletonList(returned.getClass()));
        while (!pending.isEmpty()) {
            Class<?> type = pending.removeFirst();
            if (type.isInterface() && Modifier.isPublic(type.getModifiers())) {
                try {
                    Method method = type.getMethod("toCompletionStage");
                    if (CompletionStage.class.isAssignableFrom(method.getReturnType())) {
                        return (CompletionStage<?>) method.invoke(returned);
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // not this interface
                }
            }
            Collections.addAll(pending, type.getInterfaces());
            if (type.getSuperclass() != null) {
                pending.add(type.getSuperclass());
            }
        }
        return null;
    }

    /**
     * A plain {@link Future} offers no callback: a daemon thread polls it (1 ms doubling to 50 ms, so READY comes at
     * most 50 ms late). Netty's ChannelFuture lands here.
     */
    private static void watch(Future<?> future, Hook hook) {
        Thread thread = new Thread(() -> {
            try {
                for (long sleep = 1; !future.isDone(); sleep = Math.min(50, sleep * 2)) {
                    Thread.sleep(sleep);
                }
                future.get();
                hook.returned();
            } catch (ExecutionException e) {
                hook.failed(e.getCause() == null ? e : e.getCause());
            } catch (CancellationException e) {
                hook.failed(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sd-agent-future-watch");
        thread.setDaemon(true);
        thread.start();
    }

    // ---- helpers ----

    /** From class files where possible (a signature naming a missing optional class must not break us). */
    private static TypeDescription describe(Class<?> type) {
        try {
            return TypePool.Default.of(ClassFileLocator.ForClassLoader.of(type.getClassLoader()))
                    .describe(type.getName()).resolve();
        } catch (RuntimeException e) {
            return TypeDescription.ForLoadedType.of(type); // a generated class has no class file
        }
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
        Set<String> names = new java.util.HashSet<>();
        for (Hook hook : added) {
            names.add(hook.spec.className());
        }
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> type : inst.getAllLoadedClasses()) {
            if (names.contains(type.getName()) && inst.isModifiableClass(type)) {
                loaded.add(type);
            }
        }
        for (Class<?> type : loaded) {
            try {
                HookModules.readBridge(inst, type);
                inst.retransformClasses(type);
            } catch (Throwable t) {
                reportToAll("could not instrument already loaded " + type.getName() + ": " + t);
            }
        }
    }

    private void reportNeverLoaded(List<Hook> added, long graceMillis) {
        Class<?>[] loaded = null;
        for (Hook hook : added) {
            if (hook.seen) {
                continue;
            }
            if (loaded == null) {
                loaded = inst.getAllLoadedClasses();
            }
            hook.report("ready hook " + hook.spec + ": class " + hook.spec.className() + " was not loaded within "
                    + graceMillis + " ms" + similarClasses(hook.spec.className(), loaded));
        }
    }

    /** Loaded classes whose simple name equals the wanted one, or whose name is a typo away. */
    private static String similarClasses(String wanted, Class<?>[] loaded) {
        String simple = wanted.substring(Math.max(wanted.lastIndexOf('.'), wanted.lastIndexOf('$')) + 1);
        Set<String> similar = new java.util.TreeSet<>();
        for (Class<?> type : loaded) {
            String name = type.getName();
            String typeSimple = name.substring(Math.max(name.lastIndexOf('.'), name.lastIndexOf('$')) + 1);
            if (typeSimple.equalsIgnoreCase(simple) || Math.abs(name.length() - wanted.length()) <= 2
                    && MethodResolver.distance(name, wanted) <= 2) {
                similar.add(name);
            }
        }
        if (similar.isEmpty()) {
            return " (check the name: nested classes are written Outer$Inner)";
        }
        List<String> shown = new ArrayList<>(similar).subList(0, Math.min(3, similar.size()));
        return " (did you mean " + String.join(" or ", shown) + "?)";
    }

    private void reportToAll(String message) {
        if (!engineProblems.add(message)) {
            return;
        }
        Map<HookListener, Boolean> listeners = new java.util.IdentityHashMap<>();
        for (Hook hook : hooks) {
            if (listeners.put(hook.listener, Boolean.TRUE) == null) {
                Hook.call(() -> hook.listener.problem(message));
            }
        }
    }

    // ---- state ----

    /** One {@code ready=} spec. */
    static final class Hook {
        final int id;
        final HookSpec spec;
        final HookListener listener;
        volatile boolean seen;
        /** resolution of the spec per loaded copy of the named class; guarded by the engine */
        final Map<Class<?>, MethodResolver.Resolution> resolutions = new WeakHashMap<>();
        private final Set<String> reported = ConcurrentHashMap.newKeySet();

        Hook(int id, HookSpec spec, HookListener listener) {
            this.id = id;
            this.spec = spec;
            this.listener = listener;
        }

        void report(String message) {
            if (reported.add(message)) {
                call(() -> listener.problem(message));
            }
        }

        void returned() {
            call(() -> listener.hookReturned(spec));
        }

        void failed(Throwable failure) {
            call(() -> listener.hookFailed(spec, failure));
        }

        /** The listener must never disturb the application, which may be in the middle of its start. */
        static void call(Runnable listenerCall) {
            try {
                listenerCall.run();
            } catch (Throwable ignored) {
                // nothing sensible to do: the listener is the agent's own reporting
            }
        }
    }

    /** One advised method of one class in one class loader, for one hook. */
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

    /** An outermost call in progress on this thread. */
    private static final class Active {
        final Hook hook;
        final Object self;

        Active(Hook hook, Object self) {
            this.hook = hook;
            this.self = self;
        }
    }
}
