package io.github.sdagent.bench.app;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * The benchmarks' Jetty 12 application: an ordinary main with no sd-agent code, serving "ok" on
 * 127.0.0.1:PORT. The operator's hook for it is {@code ready=org.eclipse.jetty.server.Server#start}.
 *
 * <p>For the benchmarks it prints three CLOCK_MONOTONIC stamps on stdout: {@code MAIN_NANOS} on entering
 * main (what premain cost before the application could start), and, for READY latency,
 * {@code STARTED_NANOS} from Jetty's own "started" lifecycle event, which Jetty fires as the last step
 * inside {@code Server.start()} (so it is the hooked method's return, minus the lock release), and
 * {@code RETURNED_NANOS}, taken by the caller once {@code start()} has returned (after the agent's exit
 * advice ran).
 */
public final class JettySample {
    private static volatile long startedNanos;

    private JettySample() {
    }

    public static void main(String[] args) throws Exception {
        long mainNanos = System.nanoTime();
        int port = Integer.parseInt(args[0]);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                response.getHeaders().put("Content-Type", "text/plain");
                Content.Sink.write(response, true, "ok\n", callback);
                return true;
            }
        });
        server.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarted(LifeCycle event) {
                startedNanos = System.nanoTime();
            }
        });
        server.start();
        long returnedNanos = System.nanoTime();
        System.out.println("MAIN_NANOS=" + mainNanos);
        System.out.println("STARTED_NANOS=" + startedNanos);
        System.out.println("RETURNED_NANOS=" + returnedNanos);
        server.join();
    }
}
