package io.github.sdagent.agent.hooks;

import static io.github.sdagent.agent.hooks.HookTestSupport.fixtureLoader;
import static io.github.sdagent.agent.hooks.HookTestSupport.install;
import static io.github.sdagent.agent.hooks.HookTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sdagent.agent.bridge.HookBridge;
import io.github.sdagent.agent.hooks.HookTestSupport.Recorder;
import io.github.sdagent.agent.hooks.fixture.Failing;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The hook engine in this JVM (Byte Buddy's self-attach), against fixtures shaped like real servers. */
class ReadyHooksTest {

    private static final long GRACE = 60_000;

    @BeforeAll
    static void attach() throws Exception {
        HookTestSupport.instrumentation();
    }

    @BeforeEach
    void clearTrace() {
        HookTrace.clear();
    }

    private static List<String> hookEvents(List<String> trace) {
        return trace.stream().filter(e -> !e.startsWith("PROBLEM")).collect(Collectors.toList());
    }

    @Test
    void bridgeIsOnTheBootstrapClassPathAsInProduction() {
        assertNull(HookBridge.class.getClassLoader());
    }

    @Test
    void jettyLikeInheritedFinalStartFiresOnceForTheServerOnly() throws Exception {
        Recorder recorder = install(GRACE, "~JettyLike$Server#start");
        run(fixtureLoader(), "JettyLikeApp");
        // The connectors' and handler's start(), the protected start(LifeCycle) and the nested start() inside
        // doStart never count; the server's outermost start() counts twice (the app calls it twice).
        assertEquals(List.of("connector started", "connector started", "handler started", "server doStart done",
                "my server doStart done", "READY JettyLike$Server#start", "app: start returned",
                "READY JettyLike$Server#start"), hookEvents(HookTrace.snapshot()));
        assertEquals(List.of(), recorder.problems);
    }

    @Test
    void twoHooksOnOneInheritedMethodEachCountTheirOwnInstances() throws Exception {
        install(GRACE, "~JettyLike$Server#start", "~JettyLike$Connector#start");
        run(fixtureLoader(), "JettyLikeApp");
        assertEquals(List.of("connector started", "READY JettyLike$Connector#start", "connector started",
                "READY JettyLike$Connector#start", "handler started", "server doStart done", "my server doStart done",
                "READY JettyLike$Server#start", "app: start returned", "READY JettyLike$Server#start"),
                hookEvents(HookTrace.snapshot()));
    }

    @Test
    void exceptionsCaughtInsideTheMethodStayInsideAndWideResultsSurvive() throws Exception {
        Recorder recorder = install(GRACE, "~Catching#start", "~Catching#ratio");
        run(fixtureLoader(), "Catching");
        assertEquals(List.of("caught inside: retry 0", "caught inside: retry 2", "READY Catching#start",
                "READY Catching#ratio", "start returned 1, ratio 0.5"), hookEvents(HookTrace.snapshot()));
        assertEquals(List.of(), recorder.problems);
    }

    @Test
    void aClassLoadedBeforeInstallIsRetransformed() throws Exception {
        ClassLoader loader = fixtureLoader();
        run(loader, "StaticBoot"); // loaded and run before the hook exists
        install(GRACE, "~StaticBoot#boot");
        List<String> trace = List.of();
        for (int attempt = 0; attempt < 100 && !trace.contains("READY StaticBoot#boot"); attempt++) {
            Thread.sleep(50); // the background thread retransforms classes that were already loaded
            HookTrace.clear();
            run(loader, "StaticBoot");
            trace = hookEvents(HookTrace.snapshot());
        }
        assertEquals(List.of("booted 2", "READY StaticBoot#boot"), trace);
    }

    @Test
    void protectedStartInternalDeclaredInTheNamedClass() throws Exception {
        install(GRACE, "~TomcatLike$StandardServer#startInternal");
        run(fixtureLoader(), "TomcatLike");
        assertEquals(List.of("service started", "server startInternal done",
                "READY TomcatLike$StandardServer#startInternal", "app: start returned"),
                hookEvents(HookTrace.snapshot()));
    }

    @Test
    void inheritedPublicStartOfTomcatLikeBase() throws Exception {
        install(GRACE, "~TomcatLike$StandardServer#start");
        run(fixtureLoader(), "TomcatLike");
        assertEquals(List.of("service started", "server startInternal done",
                "READY TomcatLike$StandardServer#start", "app: start returned"), hookEvents(HookTrace.snapshot()));
    }

    @Test
    void abstractMethodResolvesToTheImplementation() throws Exception {
        install(GRACE, "~AbstractServer#start");
        run(fixtureLoader(), "AbstractServer$App");
        assertEquals(List.of("impl started", "READY AbstractServer#start"), hookEvents(HookTrace.snapshot()));
    }

    @Test
    void staticMethod() throws Exception {
        install(GRACE, "~StaticBoot#boot");
        run(fixtureLoader(), "StaticBoot");
        assertEquals(List.of("booted 2", "READY StaticBoot#boot"), hookEvents(HookTrace.snapshot()));
    }

    @Test
    void thrownExceptionIsReportedAndReachesTheApplicationUnchanged() throws Exception {
        Recorder recorder = install(GRACE, "~Failing#start");
        ClassLoader loader = fixtureLoader();
        run(loader, "Failing");
        List<String> trace = hookEvents(HookTrace.snapshot());
        assertEquals(List.of("FAILED Failing#start: java.io.IOException: Address already in use",
                "app caught its own exception"), trace);
        assertSame(loader.loadClass(Failing.class.getName()).getField("FAILURE").get(null), recorder.failures.get(0));
    }

    /** READY (or the failure) when the returned CompletionStage or plain Future completes, not when the method returns. */
    @ParameterizedTest
    @CsvSource({
        "stage, StageOk, READY AsyncServer#stage",
        "stage, StageFails, FAILED AsyncServer#stage: java.io.IOException: bind failed",
        "future, FutureOk, READY AsyncServer#future",
        "future, FutureFails, FAILED AsyncServer#future: java.io.IOException: bind failed"})
    void futureResults(String method, String app, String outcome) throws Exception {
        install(GRACE, "~AsyncServer#" + method);
        run(fixtureLoader(), "AsyncServer$" + app);
        List<String> trace = hookEvents(HookTrace.await(outcome.substring(0, outcome.indexOf(' ')), 1, 5000));
        assertEquals(List.of("app: " + method + " returned", method + " completing", outcome), trace);
    }

    @Test
    void ambiguousOverloadsAreReportedWithExactSpellings() throws Exception {
        Recorder recorder = install(GRACE, "~Overloaded#listen");
        run(fixtureLoader(), "Overloaded");
        String prefix = HookTestSupport.FIXTURES + "Overloaded#listen";
        assertEquals(List.of("ready hook " + prefix + ": 3 overloads match; name one: "
                + prefix + "(int) [unquoted: " + prefix + ":int], "
                + prefix + "(java.lang.String) [unquoted: " + prefix + ":java.lang.String], "
                + prefix + "(java.lang.String,int) [unquoted: " + prefix + ":java.lang.String:int]"),
                recorder.problems);
        assertTrue(hookEvents(HookTrace.snapshot()).stream().noneMatch(e -> e.startsWith("READY")));
    }

    @Test
    void parameterTypesPickOneOverload() throws Exception {
        Recorder recorder = install(GRACE, "~Overloaded#listen:int", "~Overloaded#listen(java.lang.String)",
                "~Overloaded#listen:String:int", "~Overloaded#open", "~Overloaded#open:int[]");
        run(fixtureLoader(), "Overloaded");
        assertEquals(List.of("listen(int)", "READY Overloaded#listen(int)",
                "listen(String)", "READY Overloaded#listen(java.lang.String)",
                "listen(String,int)", "READY Overloaded#listen(String,int)",
                "open(int[])", "open()", "READY Overloaded#open", "READY Overloaded#open(int[])"),
                hookEvents(HookTrace.snapshot()));
        assertEquals(List.of(), recorder.problems);
    }

    @Test
    void explicitlyNoParameters() throws Exception {
        install(GRACE, "~Overloaded#open:");
        run(fixtureLoader(), "Overloaded");
        assertEquals(List.of("listen(int)", "listen(String)", "listen(String,int)", "open(int[])", "open()",
                "READY Overloaded#open()"), hookEvents(HookTrace.snapshot()));
    }

    @Test
    void misspelledMethodSuggestsTheCloseMatch() throws Exception {
        Recorder recorder = install(GRACE, "~JettyLike$Server#strat", "~Overloaded#listen:long");
        ClassLoader loader = fixtureLoader();
        run(loader, "JettyLikeApp");
        run(loader, "JettyLikeApp"); // a second app, same classes: still reported once
        run(loader, "Overloaded");
        String server = HookTestSupport.FIXTURES + "JettyLike$Server";
        String overloaded = HookTestSupport.FIXTURES + "Overloaded";
        assertEquals(List.of("ready hook " + server + "#strat: no method strat in " + server
                        + " or its supertypes (did you mean start?)",
                "ready hook " + overloaded + "#listen(long): no overload of listen in " + overloaded
                        + " takes (long); there are: " + overloaded + "#listen(int) [unquoted: " + overloaded
                        + "#listen:int], " + overloaded + "#listen(java.lang.String) [unquoted: " + overloaded
                        + "#listen:java.lang.String], " + overloaded + "#listen(java.lang.String,int) [unquoted: "
                        + overloaded + "#listen:java.lang.String:int]"),
                recorder.problems);
    }

    @Test
    void eachClassLoadersCopyIsItsOwnTarget() throws Exception {
        install(GRACE, "~TomcatLike$StandardServer#start");
        run(fixtureLoader(), "TomcatLike");
        run(fixtureLoader(), "TomcatLike");
        assertEquals(2, hookEvents(HookTrace.snapshot()).stream().filter(e -> e.startsWith("READY")).count());
    }

    @Test
    void classNeverLoadedIsReportedAfterTheGracePeriodWithASuggestion() throws Exception {
        run(fixtureLoader(), "TomcatLike"); // TomcatLike$StandardServer is loaded, under its binary name
        Recorder recorder = install(300, "~TomcatLike.StandardServer#start", "com.example.Missing#start");
        List<String> problems = recorder.awaitProblems(2, 10_000);
        assertEquals(List.of(
                "ready hook " + HookTestSupport.FIXTURES + "TomcatLike.StandardServer#start: class "
                        + HookTestSupport.FIXTURES + "TomcatLike.StandardServer was not loaded within 300 ms"
                        + " (did you mean " + HookTestSupport.FIXTURES + "TomcatLike$StandardServer?)",
                "ready hook com.example.Missing#start: class com.example.Missing was not loaded within 300 ms"
                        + " (check the name: nested classes are written Outer$Inner)"), problems);
    }

    /** Once refused ("hook the class that implements it"); now the implementation is hooked (see the Service tests below). */
    @Test
    void abstractInterfaceMethodResolvesToTheImplementation() throws Exception {
        Recorder recorder = install(GRACE, "~Startable#start");
        run(fixtureLoader(), "Startable$Impl");
        assertEquals(List.of("READY Startable#start"), hookEvents(HookTrace.snapshot()));
        assertEquals(List.of(), recorder.problems);
    }

    // ---- a hook naming an interface whose method is abstract there fires for its implementors' instances ----

    /** What fixture.Service$App does with the hook on Service#start: READY once per outermost call on an implementor. */
    private static final List<String> SERVICE_EXPECTED = List.of(
            "direct start 0", "direct start 1", "READY Service#start",
            "via base started", "READY Service#start",
            "sub started", "READY Service#start",
            "lookalike started",
            "direct start 0", "direct start 1", "READY Service#start",
            "app done");

    /** The usual order: each implementor's class file comes before the interfaces it lists are loaded. */
    @Test
    void implementorsLoadedBeforeTheInterface() throws Exception {
        Recorder recorder = install(GRACE, "~Service#start");
        run(fixtureLoader(), "Service$App");
        assertEquals(SERVICE_EXPECTED, hookEvents(HookTrace.snapshot()));
        assertEquals(List.of(), recorder.problems);
    }

    @Test
    void interfaceLoadedBeforeItsImplementors() throws Exception {
        Recorder recorder = install(GRACE, "~Service#start");
        ClassLoader loader = fixtureLoader();
        loader.loadClass(HookTestSupport.FIXTURES + "Service");
        loader.loadClass(HookTestSupport.FIXTURES + "Service$Sub");
        run(loader, "Service$App");
        assertEquals(SERVICE_EXPECTED, hookEvents(HookTrace.snapshot()));
        assertEquals(List.of(), recorder.problems);
    }

    /** A hook naming the sub-interface counts only the implementors of the sub-interface. */
    @Test
    void subInterfaceNamedInTheHook() throws Exception {
        Recorder recorder = install(GRACE, "~Service$Sub#start");
        run(fixtureLoader(), "Service$App");
        assertEquals(List.of("direct start 0", "direct start 1", "via base started", "sub started",
                "READY Service$Sub#start", "lookalike started", "direct start 0", "direct start 1", "app done"),
                hookEvents(HookTrace.snapshot()));
        assertEquals(List.of(), recorder.problems);
    }

    @Test
    void aClassWithTheSameMethodNameButNotImplementingNeverFires() throws Exception {
        install(GRACE, "~Service#start");
        ClassLoader loader = fixtureLoader();
        Object lookalike = loader.loadClass(HookTestSupport.FIXTURES + "Service$Lookalike").getConstructor()
                .newInstance();
        lookalike.getClass().getMethod("start").invoke(lookalike);
        assertEquals(List.of("lookalike started"), hookEvents(HookTrace.snapshot()));
    }
}
