package io.github.sdagent.agent.activation;

import io.github.sdagent.core.Daemon;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code fdstore=on}: each listening socket the application binds itself goes to systemd's file descriptor store
 * ({@code FDSTORE=1}, {@code FDNAME=tcp-PORT} or {@code udp-PORT}; the unit needs {@code FileDescriptorStoreMax=}).
 * systemd keeps it open while the service restarts and passes it back in LISTEN_FDS, where socket activation hands
 * it to the next JVM's bind of that port: no refused connection across restarts, without a {@code .socket} unit.
 * Sockets that came from LISTEN_FDS are not stored again.
 */
public final class FdStore implements ListenerObserver {

    private final Consumer<String> problems;
    private final Consumer<String> info;

    private FdStore(Consumer<String> problems, Consumer<String> info) {
        this.problems = problems;
        this.info = info;
    }

    /** Starts storing; false when there is no NOTIFY_SOCKET or the interception is unavailable. */
    public static boolean start(Instrumentation inst, Consumer<ClassFileTransformer> transformers,
                                Consumer<String> problems, Consumer<String> info, Runnable nativeInit) {
        if (Daemon.notifySocket() == null) {
            problems.accept("fdstore=on needs NOTIFY_SOCKET (a Type=notify service with FileDescriptorStoreMax=); "
                    + "sockets are not stored");
            return false;
        }
        return Listeners.subscribe(inst, transformers, new FdStore(problems, info), problems, nativeInit);
    }

    /** {@code tcp-8080}: LISTEN_FDNAMES-safe (no ':'), and what socket activation matches on is the port anyway. */
    static String name(ListeningSocket socket) {
        return (socket.kind().isStream() ? "tcp-" : "udp-") + socket.localAddress().getPort();
    }

    @Override
    public void listening(ListeningSocket socket) {
        if (socket.adoptedFrom() != null) {
            return; // from LISTEN_FDS: stored already (or a .socket unit's)
        }
        String name = name(socket);
        try {
            Daemon.notifyWithFds(false, new int[] {socket.fd()}, "FDSTORE=1", "FDNAME=" + name);
            info.accept("fdstore: " + socket.kind().name().toLowerCase(Locale.ROOT).replace('_', '-') + " socket "
                    + socket.localAddress() + " handed to systemd's file descriptor store as '" + name + "'");
        } catch (Exception e) {
            problems.accept("fdstore: cannot store the socket on " + socket.localAddress() + ": " + e.getMessage());
        }
    }
}
