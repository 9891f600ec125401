package io.github.sdagent.agent.ready;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.sdagent.agent.ready.ServingEvidence.MainThread;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fallback rule against synthetic listener events shaped like the real servers the issue names (the bind/listen
 * interception that produces them belongs to socket activation).
 */
class ServingEvidenceTest {

    private static final long S = 1_000_000_000L;

    @Test
    void anEarlyEphemeralLoopbackListenerIsNotEvidence() {
        ServingEvidence rule = new ServingEvidence(Set.of(), S);
        rule.listenerUp("127.0.0.1", 41234, true, 0);   // a transaction manager's recovery port, 9 s early
        rule.mainThread(MainThread.SETTLED);
        assertNull(rule.readyNow(9 * S, false));
        rule.listenerUp("0.0.0.0", 8080, false, 9 * S);
        assertNull(rule.readyNow(9 * S + S / 2, false), "inside the settle window");
        assertEquals(":8080", rule.readyNow(10 * S, false));
    }

    @Test
    void aClientPortThatCouldNotBeBoundHoldsReadyBackUntilALaterListener() {
        ServingEvidence rule = new ServingEvidence(Set.of(), S);
        rule.listenerUp("127.0.0.1", 9093, false, 0);          // the controller listens
        rule.bindFailed("127.0.0.1", 9092, "Address already in use"); // its client port is taken
        rule.mainThread(MainThread.SETTLED);                   // main waits while the broker shuts down
        assertNull(rule.readyNow(5 * S, false), "a port the application wanted is not served");
        assertEquals("127.0.0.1:9092 (Address already in use)", rule.failedBind());
        rule.bindFailed("0.0.0.0", 0, "no ephemeral port");     // port 0 and the JVM's own never count, failed or not
        rule.listenerUp("127.0.0.1", 9094, false, 6 * S);      // an application that tries the next port
        assertNull(rule.failedBind());
        assertEquals("127.0.0.1:9093, 127.0.0.1:9094", rule.readyNow(7 * S, false));
    }

    @Test
    void aControllerPortSecondsBeforeTheClientPortWaitsForTheMainThread() {
        ServingEvidence rule = new ServingEvidence(Set.of(), S);
        rule.listenerUp("0.0.0.0", 9093, false, 0);     // a broker's controller listener
        assertNull(rule.readyNow(3 * S, false), "main is still starting things");
        rule.listenerUp("0.0.0.0", 9092, false, 4 * S); // its client listener
        rule.mainThread(MainThread.SETTLED);            // main joins its server threads
        assertEquals(":9093, :9092", rule.readyNow(5 * S, false));
    }

    @Test
    void theJvmsOwnListenersNeverCount() {
        Properties system = new Properties();
        system.setProperty("com.sun.management.jmxremote.port", "9010");
        Set<Integer> own = ServingEvidence.jvmOwnPorts(system,
                List.of("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5005"));
        assertEquals(Set.of(9010, 5005), own);
        ServingEvidence rule = new ServingEvidence(own, S);
        rule.listenerUp("0.0.0.0", 9010, false, 0);
        rule.listenerUp("0.0.0.0", 5005, false, 0);
        rule.mainThread(MainThread.SETTLED);
        assertNull(rule.readyNow(10 * S, false));
    }

    @Test
    void aPresetStillStartingIsNotPreempted() {
        ServingEvidence rule = new ServingEvidence(Set.of(), S);
        rule.listenerUp("0.0.0.0", 8080, false, 0);
        rule.mainThread(MainThread.SETTLED);
        assertNull(rule.readyNow(5 * S, true));
        assertEquals(":8080", rule.readyNow(5 * S, false));
    }

    @Test
    void listenConditionsMatchPortAndAddress() {
        assertEquals("listen:8080", ListenCondition.parse("8080").toString());
        assertEquals(true, ListenCondition.parse("8080").matches("0.0.0.0", 8080));
        assertEquals(true, ListenCondition.parse("127.0.0.1:8080").matches("127.0.0.1", 8080));
        assertEquals(true, ListenCondition.parse("127.0.0.1:8080").matches("::", 8080), "a wildcard serves every address");
        assertEquals(false, ListenCondition.parse("127.0.0.1:8080").matches("10.0.0.1", 8080));
        assertEquals(false, ListenCondition.parse("8080").matches("0.0.0.0", 8081));
        assertEquals("listen:[::1]:8080", ListenCondition.parse("[::1]:8080").toString());
        assertEquals(true, ListenCondition.allMet(List.of(ListenCondition.parse("8080"), ListenCondition.parse("9090")),
                List.of(new String[] {"0.0.0.0", "9090"}, new String[] {"127.0.0.1", "8080"})));
        assertEquals(false, ListenCondition.allMet(List.of(ListenCondition.parse("8080"), ListenCondition.parse("9090")),
                List.<String[]>of(new String[] {"0.0.0.0", "9090"})));
    }

    /**
     * An OSGi framework (Karaf): SSH and JMX listen and the main thread waits, while bundles keep loading classes;
     * READY waits for a window without a start-up rate of class loading, and a preset that appears meanwhile wins.
     */
    @Test
    void classesStillLoadingAtAStartUpRateHoldReadyBack() {
        ServingEvidence rule = new ServingEvidence(Set.of(), S);
        rule.classesLoaded(3000, 0);
        rule.listenerUp("0.0.0.0", 8101, false, 0);   // SSH
        rule.mainThread(MainThread.SETTLED);
        rule.classesLoaded(3500, S / 2);              // bundles starting
        rule.classesLoaded(4200, 2 * S);
        assertNull(rule.readyNow(2 * S, false), "classes still loading fast");
        rule.classesLoaded(4230, 3 * S);              // 30 in the last window: at rest
        assertEquals(":8101", rule.readyNow(3 * S, false));
    }

    @Test
    void classLoadingHoldsReadyBackOnlySoLong() {
        ServingEvidence rule = new ServingEvidence(Set.of(), S);
        rule.classesLoaded(0, 0);
        rule.listenerUp("0.0.0.0", 8080, false, 0);
        rule.mainThread(MainThread.SETTLED);
        long loaded = 0;
        long now = S;
        for (; now < S + ServingEvidence.MAX_BUSY_WAIT_NANOS; now += S / 5) { // an application that never stops
            loaded += 200;
            rule.classesLoaded(loaded, now);
            assertNull(rule.readyNow(now, false));
        }
        rule.classesLoaded(loaded + 200, now);
        assertEquals(":8080", rule.readyNow(now, false), "the other conditions have held for the maximum wait");
    }

    @Test
    void withoutAClassCountTheRuleIsAsBefore() {
        ServingEvidence rule = new ServingEvidence(Set.of(), S);
        rule.listenerUp("0.0.0.0", 8080, false, 0);
        rule.mainThread(MainThread.SETTLED);
        assertEquals(":8080", rule.readyNow(S, false));
    }
}
