package io.github.sdagent.agent.ready;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReadySpecTest {

    @Test
    void termsCombine() {
        ReadySpec spec = ReadySpec.parse("a.B#start+auto+http:http://127.0.0.1:8080/health+log:Started .* in [0-9]+ s");
        assertEquals(List.of("a.B#start", "auto", "http:http://127.0.0.1:8080/health", "log:Started .* in [0-9]+ s"),
                spec.conditions());
        assertEquals("Started .* in [0-9]+ s", spec.log().pattern(), "log: takes the rest, '+' included");
        assertEquals("http://127.0.0.1:8080/health", spec.http().toString());
    }

    @Test
    void startAndAutoAndDefault() {
        assertTrue(ReadySpec.parse("start").start());
        assertTrue(ReadySpec.parse("auto").auto());
        assertTrue(ReadySpec.defaultSpec().auto() && ReadySpec.defaultSpec().defaulted());
        assertNull(ReadySpec.parse("auto").log());
        assertEquals("https://h/x", ReadySpec.parse("http:https://h/x").http().toString());
    }

    @Test
    void badTermsSayWhatIsWrong() {
        assertEquals("start cannot be combined with other terms",
                assertThrows(IllegalArgumentException.class, () -> ReadySpec.parse("start+auto")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReadySpec.parse("log:(")).getMessage()
                .startsWith("log:( is not a regular expression"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReadySpec.parse("http:nope")).getMessage()
                .startsWith("http:nope is not http:URL"));
        assertEquals("listen:8080 is given twice",
                assertThrows(IllegalArgumentException.class, () -> ReadySpec.parse("listen:8080+listen:8080")).getMessage());
        assertEquals("listen:99999 is not PORT or HOST:PORT (port 1-65535)",
                assertThrows(IllegalArgumentException.class, () -> ReadySpec.parse("listen:99999")).getMessage());
    }

    @Test
    void severalListenTermsAreConditionsOfTheirOwn() {
        ReadySpec spec = ReadySpec.parse("listen:8080+listen:127.0.0.1:9090+auto");
        assertEquals(java.util.List.of("auto", "listen:8080", "listen:127.0.0.1:9090"), spec.conditions());
        assertEquals(2, spec.listens().size());
        assertEquals("auto+listen:8080+listen:127.0.0.1:9090", spec.toString());
    }
}
