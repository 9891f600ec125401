package io.github.sdagent.agent.testapp;

import com.acme.slow.io.undertow.Undertow;
import java.util.concurrent.CountDownLatch;

/**
 * A relocated Undertow started on another thread while the main thread blocks for good at once: a listener is up and
 * the main thread has settled seconds before the preset's start returns. args: port, milliseconds start goes on.
 */
public final class SlowPresetApp {
    public static void main(String[] args) throws Exception {
        // a relocated copy cannot be held by name: one constructed before the presets are installed is not seen
        Thread.sleep(1500);
        Undertow server = new Undertow(Integer.parseInt(args[0]), Long.parseLong(args[1]));
        Thread starter = new Thread(server::start, "starter");
        starter.start();
        new CountDownLatch(1).await();
    }
}
