package io.github.sdagent.agent.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sdagent.agent.ready.Preset;
import io.github.sdagent.agent.ready.Presets;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import org.junit.jupiter.api.Test;

/**
 * The preset rows fixed against real servers (issue 9), checked in the servers' own class files from Maven Central
 * (target/app-libs, copied by the pom; read, never run): the hook engine's resolver finds the row's method, and it
 * has a body to weave. That these points mean "serving" is proven by AutoReadinessIT under systemd.
 */
class PresetReadyPointsTest {

    private static ClassLoader jars(String... names) throws Exception {
        URL[] urls = new URL[names.length];
        for (int i = 0; i < names.length; i++) {
            Path jar = Paths.get(System.getProperty("sdagent.test.server.jars"), names[i]);
            assertTrue(Files.isRegularFile(jar), jar + " is missing (see agent/pom.xml, app-jna execution)");
            urls[i] = jar.toUri().toURL();
        }
        return new URLClassLoader(urls, null);
    }

    private static Preset preset(String name) {
        for (Preset preset : Presets.ALL) {
            if (preset.name().equals(name)) {
                return preset;
            }
        }
        throw new AssertionError("no preset " + name);
    }

    private static ClassInfo.MethodInfo resolve(ClassLoader loader, HookSpec spec) {
        ClassInfo type = ClassInfo.parse(ClassInfo.classFile(loader, spec.className()));
        MethodResolver.Resolution resolution = MethodResolver.resolve(type, ClassInfo.Source.of(loader), spec);
        assertNull(resolution.problem, spec + ": " + resolution.problem);
        return resolution.method;
    }

    /** io.grpc.Server#start is abstract: nothing to weave. Every builder's Server is a ServerImpl, whose start is real. */
    @Test
    void grpcIsReadyWhenServerImplStartReturns() throws Exception {
        ClassLoader grpc = jars("grpc-api.jar", "grpc-core.jar");
        ClassInfo.MethodInfo abstractStart = resolve(grpc, HookSpec.parse("io.grpc.Server#start:"));
        assertTrue(abstractStart.is(Opcodes.ACC_ABSTRACT), "the old row, io.grpc.Server#start, is abstract");

        Preset row = preset("gRPC");
        ClassInfo.MethodInfo start = resolve(grpc, HookSpec.parse(row.className() + "#start:"));
        assertEquals("io.grpc.internal.ServerImpl", start.owner.name);
        assertFalse(start.is(Opcodes.ACC_ABSTRACT | Opcodes.ACC_BRIDGE | Opcodes.ACC_STATIC), "a real body: " + start.access);
        assertEquals("io.grpc.internal.ServerImpl", Type.getReturnType(start.descriptor).getClassName(),
                "the covariant start, not its bridge");
        assertEquals(0, Type.getArgumentTypes(start.descriptor).length);
    }

    /** Armeria's start returns at once with a CompletableFuture that completes once the ports are bound. */
    @Test
    void armeriaIsReadyWhenItsStartFutureCompletes() throws Exception {
        ClassLoader armeria = jars("armeria.jar");
        Preset row = preset("Armeria");
        ClassInfo.MethodInfo start = resolve(armeria, HookSpec.parse(row.className() + "#start:"));
        assertEquals("com.linecorp.armeria.server.Server", start.owner.name);
        assertFalse(start.is(Opcodes.ACC_ABSTRACT | Opcodes.ACC_STATIC));
        String returned = Type.getReturnType(start.descriptor).getClassName();
        assertEquals("java.util.concurrent.CompletableFuture", returned,
                "a CompletionStage: HookCompletion waits for it before the call counts as done");
        assertNotNull(java.util.concurrent.CompletionStage.class.isAssignableFrom(
                java.util.concurrent.CompletableFuture.class) ? returned : null);
    }
}
