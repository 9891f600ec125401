package io.github.sdagent.bench;

import com.sun.jna.Memory;
import io.github.sdagent.core.Daemon;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What one {@code WATCHDOG=1} costs the sender: core's {@link Daemon#notify(boolean, String...)} against
 * the floor (one {@code sendmsg} through JNA on a socket opened once, message prepared once) and against
 * spawning {@code systemd-notify WATCHDOG=1} (what a shell-script watchdog does).
 *
 * <p>NOTIFY_SOCKET must be set in the environment of the JMH run (the forks inherit it) to a path where
 * nothing listens yet: the setup binds a spinning {@link NotifyReceiver} there, which drains every datagram
 * without ever sleeping (a full queue would block the sender, and waking a sleeping receiver would be
 * billed to the sender: either way the benchmark would measure the receiver) and closes the barrier fds
 * that systemd-notify passes, exactly as systemd does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class NotifyBenchmark {
    private static final byte[] WATCHDOG = "WATCHDOG=1".getBytes(StandardCharsets.UTF_8);

    private NotifyReceiver receiver;
    private int rawFd = -1;
    private Memory rawMessage;
    private Memory rawAddress;
    private Memory rawIovec;
    private Memory rawPayload;
    private long rawFailures;
    private long sent;

    @Setup
    public void setUp() throws IOException {
        String path = System.getenv("NOTIFY_SOCKET");
        if (path == null || !path.startsWith("/")) {
            throw new IllegalStateException("run with NOTIFY_SOCKET=/some/free/path in the environment, not " + path);
        }
        receiver = NotifyReceiver.bindSpinning(path);
        if (!Daemon.notify(false, "WATCHDOG=1")) {
            throw new IllegalStateException("Daemon.notify returned false although NOTIFY_SOCKET=" + path);
        }
        rawFd = Libc.datagramSocket();
        rawAddress = Libc.unixAddress(path);
        rawPayload = new Memory(WATCHDOG.length);
        rawPayload.write(0, WATCHDOG, 0, WATCHDOG.length);
        rawIovec = new Memory(Libc.IOVEC_SIZE);
        rawIovec.setPointer(0, rawPayload);
        rawIovec.setLong(8, WATCHDOG.length);
        rawMessage = new Memory(Libc.MSGHDR_SIZE);
        rawMessage.clear();
        rawMessage.setPointer(0, rawAddress);
        rawMessage.setInt(8, Libc.addressLength(path));
        rawMessage.setPointer(16, rawIovec);
        rawMessage.setLong(24, 1);
    }

    @Benchmark
    public boolean daemonNotify() throws IOException {
        sent++;
        return Daemon.notify(false, "WATCHDOG=1");
    }

    @Benchmark
    public long rawSendmsg() {
        sent++;
        long result = Libc.sendmsg(rawFd, rawMessage, 0);
        if (result != WATCHDOG.length) {
            rawFailures++;
        }
        return result;
    }

    @Benchmark
    @Fork(1)
    @Warmup(iterations = 1, time = 1)
    @Measurement(iterations = 3, time = 1)
    public int systemdNotify() throws IOException, InterruptedException {
        sent++;
        Process process = new ProcessBuilder("systemd-notify", "WATCHDOG=1").redirectErrorStream(true).start();
        process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        int status = process.waitFor();
        if (status != 0) {
            throw new IllegalStateException("systemd-notify WATCHDOG=1 exited with " + status);
        }
        return status;
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        if (rawFd >= 0) {
            Libc.close(rawFd);
        }
        // Every datagram must have arrived: a benchmark that silently failed to send would look fast.
        long deadline = System.currentTimeMillis() + 5000;
        while (receiver.received() < sent + 1 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        long received = receiver.received();
        receiver.close();
        if (rawFailures > 0 || received < sent + 1) {
            throw new IllegalStateException("sent " + (sent + 1) + " datagrams, receiver got " + received
                    + ", raw sendmsg failures " + rawFailures);
        }
    }
}
