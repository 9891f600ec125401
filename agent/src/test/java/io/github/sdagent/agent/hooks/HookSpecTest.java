package io.github.sdagent.agent.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HookSpecTest {

    @Test
    void classAndMethodOnly() {
        HookSpec spec = HookSpec.parse("org.eclipse.jetty.server.Server#start");
        assertEquals("org.eclipse.jetty.server.Server", spec.className());
        assertEquals("start", spec.methodName());
        assertNull(spec.parameterTypes());
        assertEquals("org.eclipse.jetty.server.Server#start", spec.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a.B#m(int,java.lang.String)   | a.B#m(int,java.lang.String)",
        "a.B#m:int:java.lang.String    | a.B#m(int,java.lang.String)",
        "a.B#m( int , String[] )       | a.B#m(int,String[])",
        "a.B#m:byte[][]                | a.B#m(byte[][])",
        "a.B#m:                        | a.B#m()",
        "a.B#m()                       | a.B#m()",
        "a.Outer$Inner#m:a.Outer$Other | a.Outer$Inner#m(a.Outer$Other)",
        "Top#m                         | Top#m"})
    void parameterSpellingsAreEquivalent(String text, String canonical) {
        HookSpec spec = HookSpec.parse(text);
        assertEquals(canonical, spec.toString());
        assertEquals(HookSpec.parse(canonical), spec);
    }

    @Test
    void parameterTypesAreListed() {
        assertEquals(List.of("int", "java.lang.String"), HookSpec.parse("a.B#m:int:java.lang.String").parameterTypes());
        assertEquals(List.of(), HookSpec.parse("a.B#m:").parameterTypes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a.B", "#m", "a.B#", "a.B#m#n", "a.B#m(int", "a.B#m(int,)", "a.B#m::int",
        "a..B#m", "a.B.#m", "1a.B#m", "a.B#m-x", "a.B#m(in t)", "a.B#m:int[", "a B#m"})
    void malformedSpecsGetOneLineNamingTheTextAndTheForms(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HookSpec.parse(text));
        String message = e.getMessage();
        assertEquals(-1, message.indexOf('\n'));
        assertEquals(0, message.indexOf("bad hook spec '" + text + "': "), message);
        assertEquals(true, message.endsWith(
                "; expected Class#method, Class#method(T1,T2), Class#method:T1:T2 or Class#method: (no parameters)"));
    }

    @Test
    void missingSpec() {
        assertThrows(IllegalArgumentException.class, () -> HookSpec.parse(null));
    }
}
