package io.github.sdagent.it.sample;

/**
 * The knobs every sample server reads from its environment, so the tests can shape a run without
 * the apps knowing anything about sd-agent or systemd.
 *
 * <ul>
 *   <li>{@code PORT}: the port to listen on (127.0.0.1), default 8080.</li>
 *   <li>{@code SAMPLE_START_DELAY_MS}: sleep this long before starting the server, giving the
 *       tests a window in which the unit must still be {@code activating}.</li>
 *   <li>{@code SAMPLE_STOP_DELAY_MS}: a shutdown hook that sleeps this long, like an app that
 *       drains connections, giving the tests a window in which STOPPING is visible.</li>
 * </ul>
 */
public final class Sample {
    public static final String HOST = "127.0.0.1";

    private Sample() {
    }

    public static int port() {
        return (int) number("PORT", 8080);
    }

    /** What every sample answers on {@code GET /}: the tests assert on it. */
    public static String greeting(String server) {
        return "hello from " + server + "\n";
    }

    /** Call first thing in main: the startup delay plus the slow shutdown hook, if asked for. */
    public static void beforeStart() throws InterruptedException {
        long stopDelay = number("SAMPLE_STOP_DELAY_MS", 0);
        if (stopDelay > 0) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> sleep(stopDelay), "slow-shutdown"));
        }
        long startDelay = number("SAMPLE_START_DELAY_MS", 0);
        if (startDelay > 0) {
            Thread.sleep(startDelay);
        }
    }

    private static long number(String name, long fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : Long.parseLong(value.trim());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
