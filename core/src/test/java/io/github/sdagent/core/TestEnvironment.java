package io.github.sdagent.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.HashMap;
import java.util.Map;

/** Base for tests that point core's environment seam at their own variables. */
abstract class TestEnvironment {
    protected final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void useTestEnvironment() {
        Env.useSource(env::get);
    }

    @AfterEach
    void restoreEnvironment() {
        Env.reset();
    }
}
