package io.github.sdagent.core;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * listenFds/listenFdNames on descriptors passed by systemd's own {@code systemd-socket-activate} (real
 * LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES for a forked JVM; no service manager needed).
 */
class SocketActivationTest {
    @Test
    void systemdSocketActivatePassesANamedListeningSocket() throws Exception {
        if (!new java.io.File("/usr/bin/systemd-socket-activate").canExecute()
                && !new java.io.File("/bin/systemd-socket-activate").canExecute()) {
            UserManager.unavailable("systemd-socket-activate is not installed (Debian package systemd)");
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of("systemd-socket-activate", "-l", "127.0.0.1:" + port,
                "--fdname=web"));
        command.addAll(Processes.javaMain("socket"));
        Process activator = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String reply = null;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (reply == null) {
                try (Socket client = new Socket()) {
                    client.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    client.setSoTimeout(60_000);
                    reply = new BufferedReader(new InputStreamReader(client.getInputStream(),
                            StandardCharsets.UTF_8)).readLine();
                } catch (IOException notYetListening) {
                    if (System.nanoTime() > end || !activator.isAlive()) {
                        throw notYetListening;
                    }
                    Thread.sleep(100);
                }
            }
            assertEquals("fds=1 names=[web] cloexec-before=0 cloexec-after=1 after-unset=0,[]", reply);
            assertEquals(true, activator.waitFor(30, TimeUnit.SECONDS), "the service exits after one reply");
        } finally {
            activator.destroyForcibly();
        }
    }
}
