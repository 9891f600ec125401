package io.github.sdagent.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NOTIFY_SOCKET parsing: the exact sockaddr bytes for every accepted form, a clear error for everything else. */
class NotifyAddressTest {
    @AfterEach
    void restoreEnvironment() {
        Env.reset();
    }

    @Test
    void absolutePathIsNulTerminatedAndCountsTheNul() {
        NotifyAddress a = NotifyAddress.parse("/run/user/0/systemd/notify");
        byte[] expected = new byte[2 + 26 + 1];
        expected[0] = 1; // AF_UNIX, little-endian
        System.arraycopy("/run/user/0/systemd/notify".getBytes(StandardCharsets.US_ASCII), 0, expected, 2, 26);
        assertArrayEquals(expected, a.sockaddr());
        assertEquals(NotifyAddress.AF_UNIX, a.family());
    }

    @Test
    void abstractNameStartsWithNulAndHasNoPadding() {
        NotifyAddress a = NotifyAddress.parse("@sd/notify");
        assertArrayEquals(new byte[] {1, 0, 0, 's', 'd', '/', 'n', 'o', 't', 'i', 'f', 'y'}, a.sockaddr());
    }

    @Test
    void longestPathAndAbstractNameFit() {
        assertEquals(110, NotifyAddress.parse("/" + "p".repeat(106)).sockaddrLength());
        assertEquals(110, NotifyAddress.parse("@" + "n".repeat(107)).sockaddrLength());
    }

    @Test
    void vsockForms() {
        assertVsock("vsock:3:9999", NotifyAddress.SOCK_DEFAULT, 3, 9999);
        assertVsock("vsock-stream:1:0", NotifyAddress.SOCK_STREAM, 1, 0);
        assertVsock("vsock-dgram:4294967294:4294967294", NotifyAddress.SOCK_DGRAM, 4294967294L, 4294967294L);
        assertVsock("vsock-seqpacket:host:1024", NotifyAddress.SOCK_SEQPACKET, 2, 1024);
        assertVsock("vsock:hypervisor:5", NotifyAddress.SOCK_DEFAULT, 0, 5);
        assertVsock("vsock:local:5", NotifyAddress.SOCK_DEFAULT, 1, 5);
    }

    private static void assertVsock(String text, int type, long cid, long port) {
        NotifyAddress a = NotifyAddress.parse(text);
        assertEquals(NotifyAddress.AF_VSOCK, a.family(), text);
        assertEquals(type, a.socketType(), text);
        assertEquals(cid, a.cid(), text);
        assertEquals(port, a.port(), text);
        ByteBuffer expected = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        expected.putShort((short) 40).putShort((short) 0).putInt((int) port).putInt((int) cid);
        assertArrayEquals(expected.array(), a.sockaddr(), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "relative/path", "./notify", "notify", "@", "unix:/run/notify",
            "tcp:127.0.0.1:9", "vsock", "vsock:", "vsock:3", "vsock:3:", "vsock::9", "vsock:any:9", "vsock:-1:9",
            "vsock:4294967295:9", "vsock:4294967296:9", "vsock:3:4294967295", "vsock:3:-1", "vsock:3:+9",
            "vsock:3: 9", "vsock:x:9", "vsock:3:9:9", "vsock-raw:3:9", "VSOCK:3:9", " /run/notify"})
    void malformedValuesAreClearErrors(String value) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NotifyAddress.parse(value));
        assertTrue(e.getMessage().startsWith("NOTIFY_SOCKET=\"" + value + "\" is malformed: "), e.getMessage());
        assertTrue(e.getMessage().contains("allowed: an absolute path"), e.getMessage());
    }

    @Test
    void tooLongPathsAndNamesAreClearErrors() {
        String path = "/" + "p".repeat(107);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NotifyAddress.parse(path));
        assertTrue(e.getMessage().contains("108 bytes long, the limit is 107"), e.getMessage());
        String name = "@" + "n".repeat(108);
        assertThrows(IllegalStateException.class, () -> NotifyAddress.parse(name));
        // The limit counts UTF-8 bytes: 54 two-byte characters make 108 bytes.
        assertThrows(IllegalStateException.class, () -> NotifyAddress.parse("/" + "é".repeat(54)));
    }

    @Test
    void daemonNotifyReportsAMalformedVariableBeforeLoadingNativeCode() {
        for (String bad : Arrays.asList("", "relative", "vsock:any:1")) {
            Env.useSource(Map.of("NOTIFY_SOCKET", bad)::get);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Daemon.notify(false, "READY=1"));
            assertTrue(e.getMessage().contains("NOTIFY_SOCKET=\"" + bad + "\""), e.getMessage());
            assertThrows(IllegalStateException.class, () -> Daemon.notifyBarrier(java.time.Duration.ofSeconds(1)));
        }
    }
}
