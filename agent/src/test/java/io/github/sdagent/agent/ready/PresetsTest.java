package io.github.sdagent.agent.ready;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sdagent.agent.hooks.HookSpec;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The table itself: one row per preset, each a valid hook spec, and the rows the issue asks for present with the
 * ready point found by reading each server's code (what each row means for a real server is proven by
 * AutoReadinessIT in integration-tests, against the sample apps).
 */
class PresetsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "Jetty,            org.eclipse.jetty.server.Server#doStart()",
            "Tomcat,           org.apache.catalina.core.StandardService#startInternal()",
            "Spring Boot,      org.springframework.boot.SpringApplication#run(java.lang.String[])",
            "Netty,            io.netty.bootstrap.ServerBootstrap#bind(java.net.SocketAddress)",
            "Undertow,         io.undertow.Undertow#start()",
            "JDK HttpServer,   com.sun.net.httpserver.HttpServer#start()",
            "Vert.x,           io.vertx.core.http.impl.HttpServerImpl#listen(io.vertx.core.net.SocketAddress)",
            "Quarkus,          io.quarkus.runtime.Application#start(java.lang.String[])",
            "Micronaut,        io.micronaut.http.server.netty.NettyHttpServer#start()",
            "Helidon,          io.helidon.webserver.LoomServer#start()",
            "Dropwizard,       io.dropwizard.core.Application#run(java.lang.String[])",
            "gRPC,             io.grpc.internal.ServerImpl#start()",
            "Armeria,          com.linecorp.armeria.server.Server#start()",
            "WildFly Core,     org.jboss.as.server.ServerService#boot(org.jboss.as.controller.BootContext)",
    })
    void presetHooksItsReadyPoint(String name, String spec) {
        boolean found = false;
        for (Preset preset : Presets.ALL) {
            found |= preset.name.equals(name) && preset.spec(preset.className).toString().equals(spec);
        }
        assertTrue(found, name + " -> " + spec + " not in " + Presets.ALL);
    }

    @Test
    void everyRowIsAValidHookSpecAndUnique() {
        Set<String> classes = new HashSet<>();
        for (Preset preset : Presets.ALL) {
            HookSpec spec = preset.spec(preset.className);
            assertEquals(preset.className, spec.className());
            assertTrue(classes.add(preset.className), "two rows for " + preset.className);
        }
    }

    /** The launcher's gate holds these classes during the agent's start-up; its copy of the list must not drift. */
    @Test
    void theStartGateHoldsEveryPresetClass() throws Exception {
        java.lang.reflect.Field field = Class.forName("io.github.sdagent.agent.launcher.StartGate")
                .getDeclaredField("PRESET_CLASSES");
        field.setAccessible(true);
        Set<String> held = new HashSet<>(java.util.Arrays.asList((String[]) field.get(null)));
        Set<String> presets = new HashSet<>();
        for (Preset preset : Presets.ALL) {
            presets.add(preset.className.replace('.', '/'));
        }
        assertEquals(presets, held);
    }

    @Test
    void relocatedCopiesAreRecognisedAndOthersAreNot() {
        ShadedNames names = new ShadedNames(Presets.ALL);
        Preset jetty = names.match("com/acme/shaded/org/eclipse/jetty/server/Server");
        assertEquals("Jetty", jetty.name);
        assertEquals("com.acme.shaded.org.eclipse.jetty.server.Server#doStart()",
                names.specsFor("com/acme/shaded/org/eclipse/jetty/server/Server").get(0).toString());
        assertEquals("Netty", names.match("org/vendor/lib/io/netty/bootstrap/ServerBootstrap").name);
        assertEquals("gRPC", names.match("x/io/grpc/internal/ServerImpl").name);
        assertEquals("Armeria", names.match("x/com/linecorp/armeria/server/Server").name);
        assertNull(names.match("org/eclipse/jetty/server/Server"), "the exact name is the engine's, not a copy");
        assertNull(names.match("com/acme/Server"), "same simple name, other class");
        assertNull(names.match("com/acme/shaded/org/eclipse/jetty/server/ServerConnector"));
        assertNull(names.match("Server"));
        assertNull(names.match("java/lang/String"));
    }

    @Test
    void tailHashIsTheSimpleNamesHashCode() {
        assertEquals("Server".hashCode(), ShadedNames.tailHash("a/b/Server"));
        assertEquals("Undertow".hashCode(), ShadedNames.tailHash("Undertow"));
        assertSame(null, new ShadedNames(Presets.ALL).specsFor("a/b/C"));
    }

    @Test
    void versionFromAJarName() {
        assertEquals("11.0.27", AutoReadiness.fromJarName("file:/x/tomcat-embed-core-11.0.27.jar"));
        assertEquals("3.5.16", AutoReadiness.fromJarName("jar:nested:/app.jar/!BOOT-INF/lib/spring-boot-3.5.16.jar!/"));
        assertEquals("4.2.20.Final", AutoReadiness.fromJarName("file:/m2/netty-transport-4.2.20.Final.jar"));
        assertNull(AutoReadiness.fromJarName("file:/opt/tomcat/lib/catalina.jar"));
        assertNull(AutoReadiness.fromJarName("file:/x/classes/"));
    }
}
