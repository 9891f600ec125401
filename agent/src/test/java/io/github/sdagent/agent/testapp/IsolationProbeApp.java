package io.github.sdagent.agent.testapp;

import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.logging.LogManager;

/**
 * Checks, from inside an application, that the agent changed nothing JVM-wide (IsolationIT). The tests hook
 * {@link #started}; {@code main(mode, go-file, ...)} calls it, waits until the test has seen READY=1 (it then creates
 * the go file), then does what the mode says and prints the outcome:
 * <ul>
 * <li>{@code jul-late}: sets java.util.logging.manager only now and prints the LogManager's class;</li>
 * <li>{@code jul-hidden DIR}: the same with a manager class only the application's own loader (over DIR) sees;</li>
 * <li>{@code jna}: prints the jna/jnidispatch properties, then initialises the application's own JNA;</li>
 * <li>{@code bridge}: tries to replace the agent's hook bridge dispatcher, then calls {@link #startedAgain};</li>
 * <li>{@code serve}: waits to be stopped; its shutdown hook prints when it began (System.nanoTime).</li>
 * </ul>
 */
public final class IsolationProbeApp {

    private IsolationProbeApp() {
    }

    public static void started() {
        System.out.println("started");
    }

    public static void startedAgain() {
        System.out.println("started again");
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        if (mode.equals("serve")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook at " + System.nanoTime())));
        }
        started();
        if (mode.equals("serve")) {
            Thread.sleep(Long.MAX_VALUE);
        }
        if (mode.equals("bridge")) {
            // the agent claimed its bridge before this class could run
            Class<?> bridge = Class.forName("io.github.sdagent.agent.bridge.HookBridge");
            Class<?> dispatcher = Class.forName("io.github.sdagent.agent.bridge.HookBridge$Dispatcher");
            Object mine = Proxy.newProxyInstance(IsolationProbeApp.class.getClassLoader(), new Class<?>[] {dispatcher},
                    (proxy, method, arguments) -> {
                        System.out.println("application dispatcher called: " + method.getName());
                        return null;
                    });
            System.out.println("install returned " + bridge.getMethod("install", dispatcher).invoke(null, mine));
            startedAgain();
        }
        Path go = Paths.get(args[1]);
        for (int i = 0; i < 600 && !Files.exists(go); i++) {
            Thread.sleep(50);
        }
        switch (mode) {
            case "jul-late":
                System.setProperty("java.util.logging.manager", ProbeLogManager.class.getName());
                System.out.println("log manager: " + LogManager.getLogManager().getClass().getName());
                break;
            case "jul-hidden":
                ClassLoader own = new URLClassLoader(new URL[] {Paths.get(args[2]).toUri().toURL()},
                        IsolationProbeApp.class.getClassLoader());
                Thread.currentThread().setContextClassLoader(own);
                System.setProperty("java.util.logging.manager", "io.github.sdagent.agent.testapp.hidden.HiddenLogManager");
                System.out.println("log manager: " + LogManager.getLogManager().getClass().getName());
                break;
            case "jna":
                System.out.println("properties: jnidispatch.path=" + System.getProperty("jnidispatch.path")
                        + " jna.loaded=" + System.getProperty("jna.loaded"));
                Class<?> nativeClass = Class.forName("com.sun.jna.Native", true, IsolationProbeApp.class.getClassLoader());
                System.out.println("application JNA works: " + nativeClass.getMethod("getLastError").invoke(null)
                        + " from " + nativeClass.getProtectionDomain().getCodeSource().getLocation());
                break;
            case "bridge":
                break; // done before waiting: READY needs startedAgain
            default:
                throw new IllegalArgumentException(mode);
        }
        System.out.println("done");
    }

    /** A logging manager the application chooses (WildFly's and log4j-jul's are such). */
    public static final class ProbeLogManager extends LogManager {
        public ProbeLogManager() {
        }
    }
}
