package io.github.sdagent.core;

import com.sun.jna.Native;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Core loads JNA (and with it java.util.logging) only when a variable says we are under systemd and a call
 * needs the kernel. Checked in a fresh class loader holding core and JNA, whose loaded classes we can see.
 */
class LazyLoadingTest {
    private static final List<String> NATIVE_CLASSES = List.of("com.sun.jna.Native", "com.sun.jna.Pointer",
            "com.sun.jna.Memory", "io.github.sdagent.core.Libc", "io.github.sdagent.core.NotifySocket");

    @TempDir
    Path dir;

    /** A class loader over core's classes and the JNA jar that reports which classes it has loaded. */
    static final class Isolated extends URLClassLoader {
        Isolated() throws Exception {
            super(new URL[] {Daemon.class.getProtectionDomain().getCodeSource().getLocation(),
                    Native.class.getProtectionDomain().getCodeSource().getLocation()},
                    ClassLoader.getPlatformClassLoader());
        }

        boolean loaded(String name) {
            return findLoadedClass(name) != null;
        }

        void useEnvironment(Map<String, String> variables) throws Exception {
            Class<?> env = loadClass("io.github.sdagent.core.Env");
            Class<?> source = loadClass("io.github.sdagent.core.Env$Source");
            Object proxy = Proxy.newProxyInstance(this, new Class<?>[] {source},
                    (p, method, args) -> method.getName().equals("get") ? variables.get((String) args[0]) : null);
            Method use = env.getDeclaredMethod("useSource", source);
            use.setAccessible(true);
            use.invoke(null, proxy);
        }

        Object call(String method, Class<?>[] types, Object... args) throws Throwable {
            Method m = loadClass("io.github.sdagent.core.Daemon").getMethod(method, types);
            try {
                return m.invoke(null, args);
            } catch (InvocationTargetException e) {
                return e.getCause();
            }
        }
    }

    private static final Class<?>[] BOOLEAN_STRINGS = {boolean.class, String[].class};

    private static void callEverything(Isolated loader) throws Throwable {
        loader.call("notify", BOOLEAN_STRINGS, false, new String[] {"READY=1", "STATUS=x"});
        loader.call("notify", new Class<?>[] {boolean.class, Map.class}, true, Map.of("status", "x"));
        loader.call("notifyWithFds", new Class<?>[] {boolean.class, int[].class, String[].class}, false,
                new int[] {0}, new String[] {"FDSTORE=1"});
        loader.call("notifyBarrier", new Class<?>[] {Duration.class}, Duration.ofSeconds(1));
        loader.call("listenFds", new Class<?>[] {boolean.class}, false);
        loader.call("listenFdNames", new Class<?>[0]);
        loader.call("watchdogEnabled", new Class<?>[] {boolean.class}, false);
        loader.call("booted", new Class<?>[0]);
        loader.call("underSystemd", new Class<?>[0]);
        loader.call("notifySocket", new Class<?>[0]);
    }

    private static void assertNothingNativeLoaded(Isolated loader) {
        for (String name : NATIVE_CLASSES) {
            assertFalse(loader.loaded(name), name + " was loaded");
        }
    }

    @Test
    void notUnderSystemdNothingNativeIsLoaded() throws Throwable {
        try (Isolated loader = new Isolated()) {
            loader.useEnvironment(Map.of());
            callEverything(loader);
            assertEquals(false, loader.call("notify", BOOLEAN_STRINGS, false, new String[] {"READY=1"}));
            assertEquals(false, loader.call("underSystemd", new Class<?>[0]));
            assertNothingNativeLoaded(loader);
        }
    }

    @Test
    void variablesForOtherProcessesOrMalformedOnesLoadNothingNative() throws Throwable {
        String other = Long.toString(ProcessHandle.current().pid() + 1);
        try (Isolated loader = new Isolated()) {
            loader.useEnvironment(Map.of("NOTIFY_SOCKET", "relative/garbage", "LISTEN_PID", other,
                    "LISTEN_FDS", "2", "WATCHDOG_USEC", "1000000", "WATCHDOG_PID", other));
            Object failure = loader.call("notify", BOOLEAN_STRINGS, false, new String[] {"READY=1"});
            assertInstanceOf(IllegalStateException.class, failure);
            callEverything(loader);
            assertEquals(0L, loader.call("watchdogEnabled", new Class<?>[] {boolean.class}, false));
            assertEquals(0, loader.call("listenFds", new Class<?>[] {boolean.class}, false));
            assertNothingNativeLoaded(loader);
        }
    }

    @Test
    void aRealNotifySocketLoadsItOnFirstSend() throws Throwable {
        try (Isolated loader = new Isolated(); Receiver r = Receiver.atPath(dir)) {
            loader.useEnvironment(Map.of("NOTIFY_SOCKET", r.notifySocket()));
            assertEquals(true, loader.call("underSystemd", new Class<?>[0]));
            assertNothingNativeLoaded(loader);
            assertEquals(true, loader.call("notify", BOOLEAN_STRINGS, false, new String[] {"READY=1"}));
            assertEquals("READY=1", r.receive(Duration.ofSeconds(5)).text());
            assertTrue(loader.loaded("com.sun.jna.Native"), "the check above can fail");
        }
    }
}
