package io.github.sdagent.agent.cli;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SystemdSyntaxTest {

    @Test
    void plainWordsStayAsTheyAre() {
        assertEquals("/usr/bin/java -Xmx1g -jar /opt/app/app.jar",
                SystemdSyntax.execLine(Arrays.asList("/usr/bin/java", "-Xmx1g", "-jar", "/opt/app/app.jar")));
        assertEquals("-javaagent:/opt/sd-agent.jar=ready=a.B#start:int,watchdog=off",
                SystemdSyntax.execWord("-javaagent:/opt/sd-agent.jar=ready=a.B#start:int,watchdog=off"));
    }

    @Test
    void dollarAndPercentAreDoubledSoSystemdExpandsNothing() {
        assertEquals("a.B$$Inner#start", SystemdSyntax.execWord("a.B$Inner#start"));
        assertEquals("-Dx=$${HOME}", SystemdSyntax.execWord("-Dx=${HOME}"));
        assertEquals("-Dp=100%%", SystemdSyntax.execWord("-Dp=100%"));
    }

    @Test
    void wordsWithSpacesOrQuotesAreDoubleQuotedWithCEscapes() {
        assertEquals("\"-Dgreeting=hello world\"", SystemdSyntax.execWord("-Dgreeting=hello world"));
        assertEquals("\"say \\\"hi\\\"\"", SystemdSyntax.execWord("say \"hi\""));
        assertEquals("\"it's\"", SystemdSyntax.execWord("it's"));
        assertEquals("\"\"", SystemdSyntax.execWord(""));
        assertEquals("C:\\\\dir", SystemdSyntax.execWord("C:\\dir"));
        assertEquals("\"a\\tb\\nc\"", SystemdSyntax.execWord("a\tb\nc"));
        assertEquals("\\;", SystemdSyntax.execWord(";"));
    }

    @Test
    void environmentAssignmentsAreQuotedAndKeepDollars() {
        assertEquals("\"JAVA_TOOL_OPTIONS=-Da=b c -Dd=$X 5%%\"",
                SystemdSyntax.environmentAssignment("JAVA_TOOL_OPTIONS", "-Da=b c -Dd=$X 5%"));
    }

    @Test
    void wordsSplitsAsSystemdDoes() {
        assertEquals(Arrays.asList("A=b c", "D=e", "F=it's"), SystemdSyntax.words("\"A=b c\" D=e \"F=it's\""));
        assertEquals(Arrays.asList("x y", "q\"", "t\tu"), SystemdSyntax.words("'x y' q\\\" \"t\\tu\""));
        assertEquals(Arrays.asList(), SystemdSyntax.words("   "));
    }

    @Test
    void whatExecLineWritesWordsReadsBack() {
        List<String> words = Arrays.asList("/usr/bin/java", "-Dg=hello world", "say \"hi\"", "it's", "", "C:\\dir", "a\tb");
        assertEquals(words, SystemdSyntax.words(SystemdSyntax.execLine(words)));
    }
}
