package io.github.sdagent.agent.launcher;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fallback for a JDK that refuses {@link ModuleDefiner}: a module layer of its own. (The fast path runs in every
 * forked test of the agent jar: ForkedAgentIT checks the named module on JDK 17 and native access on JDK 25.)
 */
class ModuleLayersTest {

    @Test
    void fallbackLayerMakesANamedAutomaticModuleForTheLoader() throws Exception {
        ClassLoader loader = new ClassLoader(ClassLoader.getPlatformClassLoader()) { };
        Module module = (Module) ModuleLayers.defineLayer(loader, "sdagent.layer.test", Set.of("sdagent.layer.test.a"));
        assertTrue(module.isNamed());
        assertEquals("sdagent.layer.test", module.getName());
        assertTrue(module.getDescriptor().isAutomatic());
        assertSame(loader, module.getClassLoader());
        assertEquals(Set.of("sdagent.layer.test.a"), module.getPackages());
    }
}
