package io.github.sdagent.core;

import com.sun.jna.Memory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sending over AF_VSOCK, only to the local loopback CID 1 on a port this test opened itself, and only when
 * the kernel offers vsock loopback (vsock_loopback); never CID 2 (the host). Parsing is covered in
 * {@link NotifyAddressTest} on every machine.
 */
class VsockTest extends TestEnvironment {
    private static final int VMADDR_CID_LOCAL = 1;
    /** Only used where the kernel has no vsock loopback, so nothing can be listening on CID 1 at all. */
    private static final int UNREACHABLE_PORT = 18001;

    @Test
    void streamNotificationOverLoopback() throws Exception {
        int listener = TestLibc.socket(TestLibc.AF_VSOCK, TestLibc.SOCK_STREAM | TestLibc.SOCK_CLOEXEC, 0);
        Assumptions.assumeTrue(listener >= 0, "no AF_VSOCK in this kernel");
        try {
            Memory address = new Memory(16);
            address.clear();
            address.setShort(0, (short) TestLibc.AF_VSOCK);
            address.setInt(4, -1); // VMADDR_PORT_ANY: the kernel picks a free port for us
            address.setInt(8, VMADDR_CID_LOCAL);
            if (TestLibc.bind(listener, address, 16) != 0 || TestLibc.listen(listener, 1) != 0) {
                // No vsock loopback here (as on the CI machines): nothing can listen on CID 1, so the send must
                // fail at once with an error naming the address, never hang or report success.
                env.put("NOTIFY_SOCKET", "vsock-stream:1:" + UNREACHABLE_PORT);
                java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                        () -> Daemon.notify(false, "READY=1"));
                org.junit.jupiter.api.Assertions.assertTrue(
                        e.getMessage().contains("NOTIFY_SOCKET=vsock-stream:1:" + UNREACHABLE_PORT), e.getMessage());
                return;
            }
            TestLibc.check(TestLibc.getsockname(listener, address, new int[] {16}), "getsockname");
            long port = address.getInt(4) & 0xFFFF_FFFFL;
            env.put("NOTIFY_SOCKET", "vsock-stream:1:" + port);
            CompletableFuture<Boolean> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    return Daemon.notify(false, "READY=1", "STATUS=over vsock");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            int connection = TestLibc.check(TestLibc.accept(listener, null, null), "accept");
            StringBuilder received = new StringBuilder();
            byte[] buffer = new byte[4096];
            long n;
            while ((n = TestLibc.read(connection, buffer, buffer.length)) > 0) {
                received.append(new String(buffer, 0, (int) n, StandardCharsets.UTF_8));
            }
            TestLibc.close(connection); // the sender waits for this EOF
            assertEquals(true, sent.get(10, TimeUnit.SECONDS));
            assertEquals("READY=1\nSTATUS=over vsock", received.toString());
        } finally {
            TestLibc.close(listener);
        }
    }

    @Test
    void fileDescriptorsCannotTravelOverVsock() {
        env.put("NOTIFY_SOCKET", "vsock:1:9");
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> Daemon.notifyWithFds(false, new int[] {0}, "FDSTORE=1"));
        assertEquals("NOTIFY_SOCKET=vsock:1:9 is AF_VSOCK, which cannot carry file descriptors", e.getMessage());
    }

    /**
     * A connection-type receiver (vsock-stream, vsock-seqpacket) that reads the message but never closes its end:
     * the sender waits for that close, but only for a bounded time, so it never holds its lock, and the stopping
     * JVM behind it, for good. Shown with an AF_UNIX stream pair, since this machine has no vsock loopback.
     */
    @Test
    void aReceiverThatNeverClosesIsWaitedForOnlyBriefly() throws Exception {
        int[] pair = new int[2];
        TestLibc.check(TestLibc.socketpair(TestLibc.AF_UNIX, TestLibc.SOCK_STREAM | TestLibc.SOCK_CLOEXEC, 0, pair),
                "socketpair");
        try {
            NotifyAddress address = NotifyAddress.parse("vsock-stream:1:9");
            CompletableFuture<String> waited = CompletableFuture.supplyAsync(() -> {
                try {
                    NotifySocket.get();
                    NotifySocket.awaitEndOfStream(pair[0], address);
                    return "returned without the receiver closing";
                } catch (java.io.IOException e) {
                    return e.getMessage();
                }
            });
            String outcome = waited.get(20, TimeUnit.SECONDS); // before the bound existed, this waited forever
            assertEquals("waiting for NOTIFY_SOCKET=vsock-stream:1:9 to close failed: "
                    + "Resource temporarily unavailable (errno 11): the receiver did not close the connection within "
                    + NotifySocket.SEND_TIMEOUT_MILLIS + " ms", outcome);
        } finally {
            TestLibc.close(pair[0]);
            TestLibc.close(pair[1]);
        }
    }
}
