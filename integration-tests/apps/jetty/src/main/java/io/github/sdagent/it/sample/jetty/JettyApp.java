package io.github.sdagent.it.sample.jetty;

import io.github.sdagent.it.sample.Sample;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/** Jetty 12 embedded, written the way the Jetty docs show it. */
public final class JettyApp {
    public static void main(String[] args) throws Exception {
        Sample.beforeStart();
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(Sample.HOST);
        connector.setPort(Sample.port());
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Sink.write(response, true, Sample.greeting("jetty"), callback);
                return true;
            }
        });
        server.start();
        server.join();
    }
}
