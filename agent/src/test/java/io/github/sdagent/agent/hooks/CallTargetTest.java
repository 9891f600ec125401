package io.github.sdagent.agent.hooks;

import static io.github.sdagent.agent.hooks.HookTestSupport.FIXTURES;
import static io.github.sdagent.agent.hooks.HookTestSupport.fixtureLoader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sdagent.agent.hooks.HookSpec;
import io.github.sdagent.agent.Transformers;
import io.github.sdagent.agent.hooks.HookTestSupport.Recorder;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link HookEngine#track} (reload=): the engine's class loading and constructor reports, in this JVM, without
 * hooking the method.
 */
class CallTargetTest {

    private static final long GRACE = 60_000;

    @BeforeAll
    static void attach() throws Exception {
        HookTestSupport.instrumentation();
    }

    private static CallTarget track(String spec, Recorder recorder) throws Exception {
        return HookEngine.instance(HookTestSupport.instrumentation(), Transformers.direct(HookTestSupport.instrumentation()))
                .track(HookSpec.parse(FIXTURES + spec), recorder, GRACE);
    }

    // Fixtures other than ReadyHooksTest's JettyLike and Overloaded: the JVM has one engine, and every copy of a class
    // kept alive here would be retransformed again when ReadyHooksTest adds hooks on it.

    @Test
    void theMostRecentInstanceOfTheClassAndTheInheritedMethod() throws Exception {
        Recorder recorder = new Recorder();
        CallTarget target = track("TomcatLike$StandardServer#start", recorder);
        assertNull(target.resolved(), "nothing loaded yet");
        ClassLoader loader = fixtureLoader();
        Class<?> server = loader.loadClass(FIXTURES + "TomcatLike$StandardServer");
        Object first = server.getConstructor().newInstance();
        assertSame(first, target.lastInstance());
        Object second = server.getConstructor().newInstance();
        assertSame(second, target.lastInstance());
        loader.loadClass(FIXTURES + "TomcatLike$StandardService").getConstructor().newInstance();
        assertSame(second, target.lastInstance(), "another subclass of the declaring class does not count");
        CallTarget.Resolved resolved = target.resolved();
        assertEquals(FIXTURES + "TomcatLike$LifecycleBase", resolved.declaringClass);
        assertEquals("start", resolved.methodName);
        assertEquals("()V", resolved.descriptor);
        assertFalse(resolved.isStatic);
        assertSame(loader, resolved.loader);
        server.getMethod("start").invoke(second);
        assertEquals(List.of(), recorder.problems);
        assertTrue(recorder.failures.isEmpty(), "no method is hooked, nothing is reported");
    }

    @Test
    void anInstanceOfASubclass() throws Exception {
        CallTarget target = track("AbstractServer#start", new Recorder());
        Object impl = fixtureLoader().loadClass(FIXTURES + "AbstractServer").getMethod("create").invoke(null);
        assertSame(impl, target.lastInstance());
        assertEquals(FIXTURES + "AbstractServer", target.resolved().declaringClass);
    }

    @Test
    void implementationsOfANamedInterface() throws Exception {
        CallTarget target = track("Service#start", new Recorder());
        ClassLoader loader = fixtureLoader();
        loader.loadClass(FIXTURES + "Service");
        Object viaBase = loader.loadClass(FIXTURES + "Service$ViaBase").getConstructor().newInstance();
        assertSame(viaBase, target.lastInstance());
        loader.loadClass(FIXTURES + "Service$Lookalike").getConstructor().newInstance();
        assertSame(viaBase, target.lastInstance(), "a same-named method of an unrelated class");
        assertEquals(FIXTURES + "Service", target.resolved().declaringClass);
    }

    @Test
    void staticMethodNeedsNoInstance() throws Exception {
        CallTarget target = track("StaticBoot#boot", new Recorder());
        ClassLoader loader = fixtureLoader();
        loader.loadClass(FIXTURES + "StaticBoot").getConstructor().newInstance();
        assertTrue(target.resolved().isStatic);
        assertSame(loader, target.resolved().loader);
        assertNull(target.lastInstance(), "constructors of a static target report nothing");
    }

    @Test
    void aMisspelledMethodIsAProblem() throws Exception {
        Recorder recorder = new Recorder();
        CallTarget target = track("TomcatLike$StandardService#strat", recorder);
        fixtureLoader().loadClass(FIXTURES + "TomcatLike$StandardService").getConstructor().newInstance();
        List<String> problems = recorder.awaitProblems(1, 10_000);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("no method strat") && problems.get(0).contains("did you mean start"), problems.get(0));
        assertNull(target.resolved());
        assertNull(target.lastInstance());
    }
}
