package io.github.sdagent.agent.testapp.hidden;

import java.util.logging.LogManager;

/** A logging manager visible only through the application's own class loader (IsolationIT copies it aside). */
public final class HiddenLogManager extends LogManager {
    public HiddenLogManager() {
    }
}
