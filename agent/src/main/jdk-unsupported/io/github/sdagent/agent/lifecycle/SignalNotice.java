package io.github.sdagent.agent.lifecycle;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The early SIGTERM/SIGINT notice (see {@link ShutdownNotice}) as a real {@code sun.misc.SignalHandler}. Compiled on
 * its own (src/main/jdk-unsupported: Java 8 bytecode against the build JDK's jdk.unsupported, which {@code --release 8}
 * hides), so installing it costs neither reflection nor a {@code java.lang.reflect.Proxy}: a proxy is a class spun at
 * run time (on JDK 24+ through the ClassFile API, which the JIT then compiles), on the CPU the application needs for
 * its own start-up. sun.misc.Signal has the same API on Java 8 and 9+. Only {@link #install} is called from the Java 8
 * code; its signature uses no sun.misc type.
 */
final class SignalNotice {

    private SignalNotice() {
    }

    /**
     * Puts {@code first} in front of the handler of SIG{@code name}.
     *
     * @throws IllegalArgumentException when the JVM does not let us handle it (-Xrs, or a signal the JVM reserves)
     */
    static void install(String name, Runnable first) {
        Signal signal = new Signal(name);
        Chained chained = new Chained(name, signal.getNumber(), first);
        SignalHandler previous = Signal.handle(signal, chained);
        chained.previous(previous);
        if (previous == SignalHandler.SIG_IGN || previous == SignalHandler.SIG_DFL) { // not the JVM's: leave it alone
            Signal.handle(signal, previous);
        }
    }

    /**
     * Our handler: the early notice, then the handler that was there before ours (the JVM's, which begins the
     * shutdown). The previous handler is only known once installing ours has returned it, so a signal that arrives
     * in between waits for it (microseconds; bounded); whatever happens, the notice's failure never keeps the
     * JVM's own handling from running.
     */
    static final class Chained implements SignalHandler {
        /** Far longer than installing a handler takes; only a broken JVM would reach it. */
        static final long PREVIOUS_WAIT_MILLIS = 1000;

        private final String name;
        private final int number;
        private final Runnable first;
        private final CountDownLatch known = new CountDownLatch(1);
        private volatile SignalHandler previous;

        Chained(String name, int number, Runnable first) {
            this.name = name;
            this.number = number;
            this.first = first;
        }

        void previous(SignalHandler handler) {
            previous = handler;
            known.countDown();
        }

        @Override
        public void handle(Signal signal) {
            try {
                first.run();
            } catch (Throwable noticeFailed) {
                // the JVM's own handling below matters more than our notice
            }
            SignalHandler next = awaitPrevious();
            if (next == SignalHandler.SIG_IGN) {
                return;
            }
            if (next == null || next == SignalHandler.SIG_DFL) {
                // the JVM's handler for TERM/INT exits with 128 + the signal's number: do what it would have
                Runtime.getRuntime().exit(128 + number);
                return;
            }
            next.handle(signal);
        }

        private SignalHandler awaitPrevious() {
            try {
                known.await(PREVIOUS_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return previous;
        }

        @Override
        public String toString() {
            return "sd-agent SIG" + name + " notice";
        }
    }
}
