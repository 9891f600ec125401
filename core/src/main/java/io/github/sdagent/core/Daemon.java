package io.github.sdagent.core;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * SKELETON: signatures fixed by issue 2; the core work fills in the bodies.
 */
public final class Daemon {
    public static final int LISTEN_FDS_START = 3;

    private Daemon() {
    }

    public static boolean notify(boolean unsetEnvironment, String... assignments) throws IOException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public static boolean notify(boolean unsetEnvironment, Map<String, ?> fields) throws IOException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public static boolean notifyWithFds(boolean unsetEnvironment, int[] fds, String... assignments) throws IOException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public static boolean notifyBarrier(Duration timeout) throws IOException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public static int listenFds(boolean unsetEnvironment) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public static List<String> listenFdNames() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public static long watchdogEnabled(boolean unsetEnvironment) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public static boolean booted() {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
