package io.github.sdagent.agent.ready;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The fallback rule of {@code ready=auto} when no preset applies: READY on evidence that the application serves,
 * from the listeners this JVM opens (socket activation's bind/listen interception feeds {@link #listenerUp}; this
 * class only decides). "The first socket that listens" is wrong on real servers (a transaction manager's loopback
 * listener on an ephemeral port comes seconds before the HTTP port; a broker's controller port before its client
 * port), so:
 * <ol>
 *   <li>A listener counts unless it was bound to port 0 (ephemeral: internal plumbing, nobody can be told to connect
 *       to it) or is one of the JVM's own ({@code com.sun.management.jmxremote.port},
 *       {@code com.sun.management.jmxremote.rmi.port}, a jdwp {@code address=} port).</li>
 *   <li>READY once at least one counting listener is up, <em>and</em> the main thread has finished or is blocked for
 *       good (joined, awaiting, parked without timeout, or in an accept loop), <em>and</em> no counting listener came up
 *       within the settle window before now.</li>
 *   <li>Never while a preset is in progress: the preset's own ready point wins ({@link AutoReadiness#presetPending}).</li>
 *   <li>Never while the application's last bind of a listening socket to a fixed port failed (its port is taken: a
 *       broker whose client port is taken while its controller port listens is not serving) until a counting
 *       listener comes up after it (an application that tries the next port when one is taken).</li>
 *   <li>Not while the JVM is still loading classes at a start-up rate: more than {@link #BUSY_CLASSES} within the
 *       settle window before now (an OSGi framework or an application server whose main thread blocked early, with
 *       its admin, SSH or JMX listeners up, while its bundles or deployments, and the web server among them, still
 *       start on other threads: Karaf's Pax Web Jetty came more than a second after its SSH port under load). Once
 *       every other condition has held for {@link #MAX_BUSY_WAIT_NANOS}, class loading no longer holds READY back
 *       (an application that never stops loading classes is ready by the other conditions).</li>
 * </ol>
 * Limits: an application that starts its last listener later than the settle window after its main thread blocked is
 * ready before that listener; one whose main thread keeps running (a busy loop, a sleep loop) is never ready by this
 * rule (set ready=).
 */
public final class ServingEvidence {

    /** State of the application's main thread, as sampled by the caller. */
    public enum MainThread { RUNNING, SETTLED }

    /** Default settle window: no new listener for this long. */
    public static final long DEFAULT_SETTLE_NANOS = 1_000_000_000L;
    /**
     * More classes than this loaded within one settle window: the JVM is still starting. A server at rest loads none;
     * its first requests a few dozen to a few hundred at once, which only delays READY by a window.
     */
    public static final int BUSY_CLASSES = 100;
    /** How long class loading may hold READY back once every other condition holds. */
    public static final long MAX_BUSY_WAIT_NANOS = 20_000_000_000L;

    private final Set<Integer> jvmOwnPorts;
    private final long settleNanos;
    private final List<String> counted = new ArrayList<>();
    private long lastListenerNanos;
    private MainThread main = MainThread.RUNNING;
    private String failedBind; // "127.0.0.1:9092 (Address already in use)" until a counting listener comes up
    private long windowStartNanos = -1; // -1: no class count sampled, class loading is not judged
    private long windowStartClasses;
    private long lastBusyNanos;
    private long otherConditionsSinceNanos = -1;

    public ServingEvidence(Set<Integer> jvmOwnPorts, long settleNanos) {
        this.jvmOwnPorts = jvmOwnPorts;
        this.settleNanos = settleNanos;
    }

    /**
     * A listener came up.
     *
     * @param host          the bound address as text ("0.0.0.0", "127.0.0.1", "::")
     * @param port          the port it listens on (the one the kernel chose, for an ephemeral bind)
     * @param ephemeralBind whether the application asked for port 0
     */
    public synchronized void listenerUp(String host, int port, boolean ephemeralBind, long nowNanos) {
        if (ephemeralBind || jvmOwnPorts.contains(port)) {
            return;
        }
        counted.add((host.equals("0.0.0.0") || host.equals("::") ? "" : host) + ":" + port);
        lastListenerNanos = nowNanos;
        failedBind = null;
    }

    /** The application's bind of a listening socket to {@code host:port} failed with {@code failure}. */
    public synchronized void bindFailed(String host, int port, String failure) {
        if (port == 0 || jvmOwnPorts.contains(port)) {
            return;
        }
        failedBind = (host.equals("0.0.0.0") || host.equals("::") ? "" : host) + ":" + port + " (" + failure + ")";
    }

    /** The failed bind that holds READY back ({@code 127.0.0.1:9092 (Address already in use)}), or null. */
    public synchronized String failedBind() {
        return failedBind;
    }

    public synchronized void mainThread(MainThread state) {
        main = state;
    }

    /**
     * The JVM's count of classes loaded so far ({@code ClassLoadingMXBean#getTotalLoadedClassCount}), sampled by the
     * caller: more than {@link #BUSY_CLASSES} within a settle window mark that window busy.
     */
    public synchronized void classesLoaded(long totalLoaded, long nowNanos) {
        if (windowStartNanos < 0) {
            windowStartNanos = nowNanos;
            windowStartClasses = totalLoaded;
            lastBusyNanos = nowNanos; // nothing known of the time before: a whole quiet window is needed
        } else if (totalLoaded - windowStartClasses > BUSY_CLASSES) {
            lastBusyNanos = nowNanos;
            windowStartNanos = nowNanos;
            windowStartClasses = totalLoaded;
        } else if (nowNanos - windowStartNanos >= settleNanos) {
            windowStartNanos = nowNanos;
            windowStartClasses = totalLoaded;
        }
    }

    /** The listeners that justify READY now ({@code :8080, 127.0.0.1:9090}), or null if the rule does not hold yet. */
    public synchronized String readyNow(long nowNanos, boolean presetPending) {
        if (presetPending || counted.isEmpty() || main != MainThread.SETTLED || failedBind != null
                || nowNanos - lastListenerNanos < settleNanos) {
            otherConditionsSinceNanos = -1;
            return null;
        }
        if (otherConditionsSinceNanos < 0) {
            otherConditionsSinceNanos = nowNanos;
        }
        if (windowStartNanos >= 0 && nowNanos - lastBusyNanos < settleNanos
                && nowNanos - otherConditionsSinceNanos < MAX_BUSY_WAIT_NANOS) {
            return null; // still loading classes at a start-up rate
        }
        return String.join(", ", counted);
    }

    /** The JVM's own listener ports, from its system properties and input arguments. */
    public static Set<Integer> jvmOwnPorts(Properties system, List<String> jvmArguments) {
        Set<Integer> ports = new HashSet<>();
        addPort(ports, system.getProperty("com.sun.management.jmxremote.port"));
        addPort(ports, system.getProperty("com.sun.management.jmxremote.rmi.port"));
        for (String argument : jvmArguments) {
            if (argument.startsWith("-agentlib:jdwp=") || argument.startsWith("-Xrunjdwp:")) {
                for (String option : argument.substring(argument.indexOf(argument.startsWith("-X") ? ':' : '=') + 1).split(",")) {
                    if (option.startsWith("address=")) {
                        String address = option.substring("address=".length());
                        addPort(ports, address.substring(address.lastIndexOf(':') + 1));
                    }
                }
            }
        }
        return ports;
    }

    private static void addPort(Set<Integer> ports, String text) {
        if (text == null) {
            return;
        }
        try {
            ports.add(Integer.parseInt(text.trim()));
        } catch (NumberFormatException ignored) {
            // not a port: nothing of ours to exclude
        }
    }
}
