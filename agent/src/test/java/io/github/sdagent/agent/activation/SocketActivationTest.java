package io.github.sdagent.agent.activation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sdagent.core.Sockets;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Matching binds to inherited sockets, the sockets= option, and the weaver on this JDK's own classes. */
class SocketActivationTest {

    static InheritedSocket socket(int fd, String name, int type, boolean listening, String host, int port)
            throws Exception {
        return new InheritedSocket(fd, name, type, listening, new InetSocketAddress(InetAddress.getByName(host), port));
    }

    static InetAddress ip(String host) throws Exception {
        return InetAddress.getByName(host);
    }

    @Test
    void matchesByPortWithWildcardsOnEitherSide() throws Exception {
        InheritedSocket loopback = socket(3, "web", Sockets.SOCK_STREAM, true, "127.0.0.1", 8080);
        InheritedSocket any = socket(4, "admin", Sockets.SOCK_STREAM, true, "::", 9090);
        List<InheritedSocket> inherited = Arrays.asList(loopback, any);
        SocketKind channel = SocketKind.SERVER_SOCKET_CHANNEL;

        assertSame(loopback, SocketActivation.match(inherited, SocketMapping.AUTO, channel, ip("127.0.0.1"), 8080));
        assertSame(loopback, SocketActivation.match(inherited, SocketMapping.AUTO, channel, ip("::"), 8080));
        assertSame(loopback, SocketActivation.match(inherited, SocketMapping.AUTO, channel, ip("0.0.0.0"), 8080));
        assertNull(SocketActivation.match(inherited, SocketMapping.AUTO, channel, ip("10.1.2.3"), 8080),
                "two specific addresses must be equal");
        assertSame(any, SocketActivation.match(inherited, SocketMapping.AUTO, SocketKind.SERVER_SOCKET, ip("10.1.2.3"), 9090));
        assertNull(SocketActivation.match(inherited, SocketMapping.AUTO, channel, ip("127.0.0.1"), 8081));
        assertNull(SocketActivation.match(inherited, SocketMapping.AUTO, channel, ip("127.0.0.1"), 0),
                "port 0 asks for a fresh port");
        assertNull(SocketActivation.match(inherited, SocketMapping.AUTO, SocketKind.DATAGRAM_CHANNEL, ip("127.0.0.1"), 8080),
                "a datagram bind never takes a stream socket");
    }

    @Test
    void streamBindsNeedAListeningSocketAndDatagramBindsADatagramSocket() throws Exception {
        InheritedSocket notListening = socket(3, "a", Sockets.SOCK_STREAM, false, "127.0.0.1", 8080);
        InheritedSocket datagram = socket(4, "b", Sockets.SOCK_DGRAM, false, "127.0.0.1", 8080);
        List<InheritedSocket> inherited = Arrays.asList(notListening, datagram);
        assertNull(SocketActivation.match(inherited, SocketMapping.AUTO, SocketKind.SERVER_SOCKET_CHANNEL, ip("::"), 8080));
        assertSame(datagram, SocketActivation.match(inherited, SocketMapping.AUTO, SocketKind.DATAGRAM_CHANNEL, ip("::"), 8080));
    }

    @Test
    void namedMappingWinsOverPortsAndTakesTheNamedSocketOutOfPortMatching() throws Exception {
        InheritedSocket web = socket(3, "web", Sockets.SOCK_STREAM, true, "127.0.0.1", 80);
        InheritedSocket admin = socket(4, "admin", Sockets.SOCK_STREAM, true, "127.0.0.1", 81);
        List<InheritedSocket> inherited = Arrays.asList(web, admin);
        SocketMapping mapping = SocketMapping.parse("web:8080");
        SocketKind kind = SocketKind.SERVER_SOCKET_CHANNEL;
        assertSame(web, SocketActivation.match(inherited, mapping, kind, ip("10.0.0.1"), 8080));
        assertNull(SocketActivation.match(inherited, mapping, kind, ip("127.0.0.1"), 80), "web serves 8080 only");
        assertSame(admin, SocketActivation.match(inherited, mapping, kind, ip("127.0.0.1"), 81), "unnamed: by port");
    }

    @Test
    void socketsOptionValues() {
        assertSame(SocketMapping.AUTO, SocketMapping.parse("auto"));
        assertSame(SocketMapping.OFF, SocketMapping.parse("off"));
        assertTrue(SocketMapping.AUTO.enabled());
        assertTrue(!SocketMapping.OFF.enabled());
        SocketMapping mapped = SocketMapping.parse("web:8080+admin:9090");
        assertEquals(8080, mapped.portFor("web"));
        assertEquals(9090, mapped.portFor("admin"));
        assertNull(mapped.portFor("other"));
        assertEquals("web:8080+admin:9090", mapped.toString());
        assertEquals("'web' is not name:port (port 1-65535)",
                assertThrows(IllegalArgumentException.class, () -> SocketMapping.parse("web")).getMessage());
        assertEquals("'web:99999' is not name:port (port 1-65535)",
                assertThrows(IllegalArgumentException.class, () -> SocketMapping.parse("web:99999")).getMessage());
        assertEquals("socket name 'a' is mapped twice",
                assertThrows(IllegalArgumentException.class, () -> SocketMapping.parse("a:1+a:2")).getMessage());
    }

    /**
     * The weaver finds exactly the calls it expects in this JDK's classes (the suite runs on JDK 17 and 25): JDK 17
     * still has the classic java.net implementations (-Djdk.net.usePlainSocketImpl), JDK 18+ has not.
     */
    @Test
    void weaverRewritesThisJdksBindClasses() throws Exception {
        int woven = 0;
        for (BindWeaver.Target target : BindWeaver.TARGETS) {
            byte[] original;
            try (InputStream in = ClassLoader.getSystemResourceAsStream(target.className + ".class")) {
                boolean classic = target.className.startsWith("java/net/");
                if (classic && Runtime.version().feature() >= 18) {
                    assertNull(in, target.className + " is gone since JDK 18");
                    continue;
                }
                assertNotNull(in, target.className);
                original = in.readAllBytes();
            }
            assertWoven(target, BindWeaver.weave(target, original));
            woven++;
        }
        assertEquals(Runtime.version().feature() >= 18 ? 4 : 6, woven);
    }

    /** The same on JDK 11's own class files, read from its runtime image (integration-tests/jdk11.sh). */
    @Test
    void weaverRewritesJdk11BindClasses() throws Exception {
        String home = SocketAdoptionIT.jdk("11");
        try (java.nio.file.FileSystem jrt = java.nio.file.FileSystems.newFileSystem(java.net.URI.create("jrt:/"),
                java.util.Map.of("java.home", home))) {
            int woven = 0;
            for (BindWeaver.Target target : BindWeaver.TARGETS) {
                java.nio.file.Path file = jrt.getPath("/modules/java.base/" + target.className + ".class");
                if (target.className.equals("sun/nio/ch/NioSocketImpl")) {
                    assertTrue(!java.nio.file.Files.exists(file), "NioSocketImpl is new in JDK 13");
                    continue;
                }
                assertWoven(target, BindWeaver.weave(target, java.nio.file.Files.readAllBytes(file)));
                woven++;
            }
            assertEquals(5, woven);
        }
    }

    private static void assertWoven(BindWeaver.Target target, byte[] woven) {
        String text = new String(woven, java.nio.charset.StandardCharsets.ISO_8859_1);
        for (BindWeaver.Rewrite rewrite : target.rewrites) {
            assertTrue(text.contains(rewrite.bridgeName), target.className + " calls " + rewrite.bridgeName);
        }
        assertTrue(text.contains(BindWeaver.BRIDGE));
    }

    @Test
    void weaverRefusesAClassWithoutTheExpectedCalls() throws Exception {
        BindWeaver.Target wrong = new BindWeaver.Target("sun/nio/ch/ServerSocketChannelImpl",
                BindWeaver.Rewrite.net(new String[] {"noSuchMethod"}, "bind" + BindWeaver.FAMILY_BIND,
                        "bindServerChannel", 0));
        byte[] original;
        try (InputStream in = ClassLoader.getSystemResourceAsStream(wrong.className + ".class")) {
            original = in.readAllBytes();
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BindWeaver.weave(wrong, original));
        assertTrue(e.getMessage().startsWith("expected one call to bind(Ljava/net/ProtocolFamily;"), e.getMessage());
    }

    /** Netty's own socket class (a test dependency) holds exactly the native calls the weaver rewrites. */
    @Test
    void weaverRewritesNettysNativeSocket() throws Exception {
        byte[] original;
        try (InputStream in = ClassLoader.getSystemResourceAsStream(BindWeaver.NETTY_SOCKET + ".class")) {
            assertNotNull(in, BindWeaver.NETTY_SOCKET);
            original = in.readAllBytes();
        }
        byte[] woven = BindWeaver.weaveNetty(BindWeaver.NETTY_SOCKET, original);
        String text = new String(woven, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("bindNetty") && text.contains("listenNetty") && text.contains(BindWeaver.BRIDGE));
        // a relocated copy names itself in the ldc: the rewrite takes the name it is given
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BindWeaver.weaveNetty("com/acme/shaded/" + BindWeaver.NETTY_SOCKET, original));
        assertTrue(e.getMessage().startsWith("expected one call to bind(IZ[BII)I"), e.getMessage());
    }

    /** One name test per loaded class finds Netty's socket class and its relocated copies, nothing else. */
    @Test
    void nettySocketNames() {
        assertTrue(BindWeaver.isNettySocket("io/netty/channel/unix/Socket"));
        assertTrue(BindWeaver.isNettySocket("io/grpc/netty/shaded/io/netty/channel/unix/Socket"));
        assertTrue(!BindWeaver.isNettySocket("io/netty/channel/epoll/LinuxSocket"));
        assertTrue(!BindWeaver.isNettySocket("org/xio/netty/channel/unix/Socket"));
        assertTrue(!BindWeaver.isNettySocket("io/netty/channel/unix/SocketWritableByteChannel"));
        assertTrue(!BindWeaver.isNettySocket("java/net/Socket"));
    }

    /** JDK 11 and later are intercepted (tested on 11, 17 and 25); older JDKs not at all, with a reason. */
    @Test
    void jdksBefore11AreRefusedAsAWhole() {
        assertEquals("socket interception needs JDK 11 or later (this is JDK 1.8)", JdkInternals.unsupported("1.8"));
        assertEquals("socket interception needs JDK 11 or later (this is JDK 10)", JdkInternals.unsupported("10"));
        assertEquals("socket interception does not know java.specification.version x",
                JdkInternals.unsupported("x"));
        assertNull(JdkInternals.unsupported("11"));
        assertNull(JdkInternals.unsupported("17"));
        assertNull(JdkInternals.unsupported("25"));
    }
}
