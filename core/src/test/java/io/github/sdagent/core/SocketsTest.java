package io.github.sdagent.core;

import org.junit.jupiter.api.Test;

import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sockets' libc helpers on real sockets of this JVM, found by their descriptor number. */
class SocketsTest {

    /** The descriptor of this JVM's socket bound to {@code port} of the given type (found by getsockname). */
    private static int fdOf(int type, int port) throws IOException {
        for (int fd = 3; fd < 4096; fd++) {
            if (Files.exists(Paths.get("/proc/self/fd/" + fd)) && Sockets.isSocketInet(fd, Sockets.AF_UNSPEC, type, -1, port)) {
                return fd;
            }
        }
        throw new AssertionError("no socket of type " + type + " on port " + port);
    }

    @Test
    void describesAListeningIpv4StreamSocket() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            int fd = fdOf(Sockets.SOCK_STREAM, port);
            assertEquals(Sockets.SOCK_STREAM, Sockets.type(fd));
            assertTrue(Sockets.isListening(fd));
            assertTrue(Sockets.isSocket(fd, Sockets.AF_UNSPEC, Sockets.SOCK_STREAM, 1));
            assertFalse(Sockets.isSocket(fd, Sockets.AF_UNSPEC, Sockets.SOCK_DGRAM, -1));
            assertFalse(Sockets.isSocket(fd, Sockets.AF_UNSPEC, 0, 0));
            assertFalse(Sockets.isSocketInet(fd, Sockets.AF_UNSPEC, Sockets.SOCK_STREAM, 1, port == 1 ? 2 : 1));
            // the JDK's channels are dual-stack IPv6 sockets; the bound address reads back as IPv4
            assertTrue(Sockets.family(fd) == Sockets.AF_INET6 || Sockets.family(fd) == Sockets.AF_INET);
            assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), Sockets.localAddress(fd));
        }
    }

    @Test
    void describesADatagramSocket() throws Exception {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
            int fd = fdOf(Sockets.SOCK_DGRAM, port);
            assertEquals(Sockets.AF_INET6, Sockets.family(fd));
            assertFalse(Sockets.isListening(fd));
            assertTrue(Sockets.isSocketInet(fd, Sockets.AF_INET6, Sockets.SOCK_DGRAM, 0, port));
            assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), port), Sockets.localAddress(fd));
        }
    }

    @Test
    void aFileIsNotASocket() throws Exception {
        Path file = Files.createTempFile("sockets-test", ".txt");
        try (FileOutputStream out = new FileOutputStream(file.toFile())) {
            int fd = -1;
            for (int candidate = 3; candidate < 4096 && fd < 0; candidate++) {
                Path link = Paths.get("/proc/self/fd/" + candidate);
                if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(file)) {
                    fd = candidate;
                }
            }
            assertTrue(fd >= 0, "the file's descriptor");
            assertFalse(Sockets.isSocket(fd, Sockets.AF_UNSPEC, 0, -1));
            int fileFd = fd;
            assertThrows(IOException.class, () -> Sockets.type(fileFd));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void aClosedDescriptorIsAnError() {
        IOException e = assertThrows(IOException.class, () -> Sockets.isSocket(4000, 0, 0, -1));
        assertTrue(e.getMessage().contains("Bad file descriptor"), e.getMessage());
    }

    @Test
    void duplicateOntoPutsOneSocketInPlaceOfAnother() throws Exception {
        try (ServerSocketChannel listening = ServerSocketChannel.open(); DatagramChannel other = DatagramChannel.open()) {
            listening.bind(new InetSocketAddress("127.0.0.1", 0));
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            int listeningPort = ((InetSocketAddress) listening.getLocalAddress()).getPort();
            int from = fdOf(Sockets.SOCK_STREAM, listeningPort);
            int to = fdOf(Sockets.SOCK_DGRAM, ((InetSocketAddress) other.getLocalAddress()).getPort());
            Sockets.setCloseOnExec(to);
            assertTrue(Sockets.isCloseOnExec(to));

            listening.configureBlocking(false);
            assertTrue(Sockets.isNonBlocking(from));
            Sockets.setNonBlocking(from, false);
            assertFalse(Sockets.isNonBlocking(from));
            Sockets.setNonBlocking(from, true);

            Sockets.duplicateOnto(from, to);

            assertTrue(Sockets.isSocketInet(to, Sockets.AF_UNSPEC, Sockets.SOCK_STREAM, 1, listeningPort));
            assertFalse(Sockets.isCloseOnExec(to), "dup2 clears FD_CLOEXEC on the target");
            assertTrue(Sockets.isNonBlocking(to), "O_NONBLOCK belongs to the shared file description");
            assertTrue(Sockets.isSocketInet(from, Sockets.AF_UNSPEC, Sockets.SOCK_STREAM, 1, listeningPort),
                    "the source stays open");
        }
    }

    @Test
    void epollRegistrationsSurviveADuplicateOntoWhenAddedAgain() throws Exception {
        try (ServerSocketChannel listening = ServerSocketChannel.open(); ServerSocketChannel registered = ServerSocketChannel.open();
             java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            listening.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) listening.getLocalAddress()).getPort();
            registered.bind(new InetSocketAddress("127.0.0.1", 0));
            int target = fdOf(Sockets.SOCK_STREAM, ((InetSocketAddress) registered.getLocalAddress()).getPort());
            int from = fdOf(Sockets.SOCK_STREAM, port);
            registered.configureBlocking(false);
            registered.register(selector, java.nio.channels.SelectionKey.OP_ACCEPT);
            selector.selectNow(); // the JDK adds it to its epoll set now

            java.util.List<Sockets.EpollRegistration> before = Sockets.epollRegistrations(target);
            assertEquals(1, before.size(), before.toString());
            listening.configureBlocking(false);
            Sockets.duplicateOnto(from, target);
            assertTrue(Sockets.epollRegistrations(target).isEmpty(), "the entry went with the replaced file");
            for (Sockets.EpollRegistration entry : before) {
                Sockets.epollAdd(entry.epollFd, entry.fd, entry.events, entry.data);
            }
            assertEquals(before.toString(), Sockets.epollRegistrations(target).toString());

            try (java.net.Socket client = new java.net.Socket("127.0.0.1", port)) {
                assertEquals(1, selector.select(10_000), "the selector sees a connection on the adopted socket");
                assertTrue(registered.accept() != null);
            }
        }
    }

    @Test
    void parsesEpollEntries() {
        Sockets.EpollRegistration entry = Sockets.parseEpollEntry(7,
                "tfd:        4 events: 80000019 data:                4  pos:0 ino:38758e sdev:9");
        assertEquals("epoll fd 7: fd 4 events 0x80000019 data 0x4", entry.toString());
        assertNull(Sockets.parseEpollEntry(7, "pos:\t0"));
    }

    @Test
    void parsesSocketAddresses() throws Exception {
        byte[] v4 = new byte[16];
        v4[0] = 2;
        v4[2] = 0x1f;
        v4[3] = (byte) 0x90;
        v4[4] = 10;
        v4[7] = 1;
        assertEquals(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 8080), Sockets.inetAddress(v4, 16));
        byte[] v6 = new byte[28];
        v6[0] = 10;
        v6[3] = 80;
        v6[23] = 1;
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 80), Sockets.inetAddress(v6, 28));
        byte[] unix = new byte[110];
        unix[0] = 1;
        assertNull(Sockets.inetAddress(unix, 3));
    }
}
