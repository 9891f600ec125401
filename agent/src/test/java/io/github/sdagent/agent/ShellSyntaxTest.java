package io.github.sdagent.agent;

import io.github.sdagent.agent.config.AgentConfig;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Tomcat's catalina.sh re-reads CATALINA_OPTS with {@code eval} (as in {@code eval exec "$_RUNJAVA" ... "$CATALINA_OPTS"}),
 * so spaces, quotes, ( ) ; $ & | &lt; &gt; break there. The shell-safe spelling must come out word for word.
 */
class ShellSyntaxTest {

    static final String SAFE = "-javaagent:/opt/sd-agent/sd-agent.jar=ready=org.apache.catalina.core.StandardServer#startInternal:"
            + "+io.netty.bootstrap.AbstractBootstrap#bind:int:java.lang.String[],ready-when=any,watchdog-interval=10s,mainpid=auto";

    /** The words bash's eval makes of CATALINA_OPTS, one per line. */
    private static List<String> evalWords(String catalinaOpts) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", "eval printf '%s\\\\n' \"$CATALINA_OPTS\"");
        builder.environment().put("CATALINA_OPTS", catalinaOpts);
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return Arrays.asList(out.split("\n"));
    }

    @Test
    void shellSafeSpellingSurvivesEval() throws Exception {
        List<String> words = evalWords(SAFE + " -Xmx512m");
        assertEquals(Arrays.asList(SAFE, "-Xmx512m"), words);
        String options = words.get(0).substring(words.get(0).indexOf(".jar=") + ".jar=".length());
        AgentConfig config = AgentConfig.load(options, new Properties());
        assertEquals("org.apache.catalina.core.StandardServer#startInternal()", config.ready().get(0).toString());
        assertEquals("io.netty.bootstrap.AbstractBootstrap#bind(int,java.lang.String[])", config.ready().get(1).toString());
    }

    @Test
    void parenthesesSpellingDoesNotSurviveEvalWhichIsWhyTheColonFormExists() throws Exception {
        String parens = "-javaagent:/opt/sd-agent.jar=ready=a.B#bind(int,java.lang.String)";
        assertNotEquals(Arrays.asList(parens), evalWords(parens));
    }
}
