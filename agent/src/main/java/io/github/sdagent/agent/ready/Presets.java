package io.github.sdagent.agent.ready;

import io.github.sdagent.agent.ready.Preset.Kind;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The table of servers and frameworks {@code ready=auto} knows, one row each. Adding one is adding a row here (and
 * its test in PresetsTest / AutoReadinessIT). Each row names the method whose return means "serving everything
 * this component started", found by reading the server's code, not its documentation:
 * <ul>
 *   <li>Jetty 9.4 to 12: {@code Server#doStart}. In Jetty 12, {@code Server#start} is the final
 *       {@code AbstractLifeCycle#start()} that every connector and handler inherits; {@code doStart} is the
 *       server's own, opens the connectors and throws when a port is taken (9.4 through 12).</li>
 *   <li>Tomcat, embedded or {@code catalina.sh run}: {@code StandardService#startInternal}, which starts the
 *       connectors last. Under {@code run}, {@code Catalina#start} blocks until shutdown; and a connector whose port
 *       is taken is logged and left FAILED while start returns normally: the check looks at the connectors.</li>
 *   <li>Spring Boot: {@code SpringApplication#run(String[])} returns after the runners, where it publishes
 *       ApplicationReadyEvent (web or not).</li>
 *   <li>Quarkus 3: {@code Application#start(String[])} runs the generated start-up steps, whose HTTP step waits
 *       for Vert.x's listen ({@code VertxHttpRecorder#doServerStart} blocks on its futures) and throws when the
 *       port is taken.</li>
 *   <li>Micronaut 4: {@code Micronaut#start} waits on a latch until shutdown whenever its server asks for keep-alive
 *       ({@code EmbeddedServer#isKeepAlive} is true by default; only the Netty server says false), and on a failed
 *       start it logs and calls System.exit inside start. {@code NettyHttpServer#start} returns once its channels
 *       are bound ({@code syncUninterruptibly}) and its ServerStartupEvent listeners ran, and throws a
 *       ServerStartupException when a port is taken. Micronaut on a servlet container is detected by that
 *       container's row.</li>
 *   <li>Helidon 4: {@code LoomServer#start} starts the listeners; when one fails to bind it logs "Helidon
 *       WebServer failed to start, shutting down", stops the others and returns normally: the check asks
 *       {@code isRunning()}.</li>
 *   <li>gRPC-java: {@code io.grpc.internal.ServerImpl#start}. {@code io.grpc.Server#start} is abstract (nothing to
 *       weave); every {@code ServerBuilder#build} returns a ServerImpl, whose start starts each transport server
 *       (Netty's waits for its bind and throws IOException when the port is taken).</li>
 *   <li>Armeria: {@code com.linecorp.armeria.server.Server#start} returns a CompletableFuture that completes once
 *       every port is bound (or fails): READY waits for it.</li>
 *   <li>WildFly (and every server on WildFly Core, JBoss EAP too): {@code ServerService#boot(BootContext)} runs on the
 *       controller's boot thread from the first boot operation to the end: {@code finishBoot} resumes the server
 *       ("Resuming server"), then {@code BootstrapListener#generateBootStatistics} waits until every service has
 *       started or failed; the "started in" line (WFLYSRV0025, or 0026 "with errors") is printed right after it
 *       returns. Its listeners (Undertow's, Artemis's Netty acceptors) bind inside it. The version is WildFly
 *       Core's (the jar's), not the product's.</li>
 * </ul>
 * See docs/readiness-frameworks.md.
 */
public final class Presets {

    private Presets() {
    }

    /** Every FAILED (or not started) connector of a Tomcat StandardService. No connector at all is fine: Spring Boot adds them later. */
    static final Preset.Check TOMCAT_CONNECTORS = new Preset.Check() {
        @Override
        public String problem(Object service) throws Exception {
            Object[] connectors = (Object[]) service.getClass().getMethod("findConnectors").invoke(service);
            for (Object connector : connectors) {
                Method stateName = connector.getClass().getMethod("getStateName");
                String state = String.valueOf(stateName.invoke(connector));
                if (!"STARTED".equals(state)) {
                    return "Tomcat connector " + connector + " is " + state + " (port in use?)";
                }
            }
            return null;
        }
    };

    /**
     * Helidon 4's LoomServer returns normally from start when a listener failed to bind (it logs, stops and leaves
     * the server not running): ready only when {@code isRunning()}.
     */
    static final Preset.Check HELIDON_RUNNING = new Preset.Check() {
        @Override
        public String problem(Object server) throws Exception {
            Object running = publicMethod(server.getClass(), "isRunning").invoke(server);
            return Boolean.TRUE.equals(running) ? null
                    : "Helidon WebServer is not running after start (a listener failed to start: port in use?)";
        }
    };

    /**
     * The no-argument method {@code name} as a public class or interface declares it: Helidon's LoomServer is
     * package-private, so the Method its own class reports cannot be invoked from here, the public interface's can.
     */
    static Method publicMethod(Class<?> type, String name) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            Method found = Modifier.isPublic(c.getModifiers()) ? declared(c, name) : null;
            for (int i = 0; found == null && i < c.getInterfaces().length; i++) {
                found = publicInterfaceMethod(c.getInterfaces()[i], name);
            }
            if (found != null) {
                return found;
            }
        }
        throw new NoSuchMethodException(type.getName() + "#" + name + " in a public type");
    }

    private static Method publicInterfaceMethod(Class<?> type, String name) {
        Method found = Modifier.isPublic(type.getModifiers()) ? declared(type, name) : null;
        for (int i = 0; found == null && i < type.getInterfaces().length; i++) {
            found = publicInterfaceMethod(type.getInterfaces()[i], name);
        }
        return found;
    }

    private static Method declared(Class<?> type, String name) {
        try {
            Method method = type.getDeclaredMethod(name);
            return Modifier.isPublic(method.getModifiers()) ? method : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    public static final List<Preset> ALL = Collections.unmodifiableList(Arrays.asList(
            framework("Spring Boot", "org.springframework.boot.SpringApplication", "run(java.lang.String[])"),
            framework("Quarkus", "io.quarkus.runtime.Application", "start(java.lang.String[])"),
            framework("Micronaut", "io.micronaut.http.server.netty.NettyHttpServer", "start:"), // 4.x; see above
            framework("Dropwizard", "io.dropwizard.core.Application", "run(java.lang.String[])"), // 3.x, 4.x
            framework("Dropwizard", "io.dropwizard.Application", "run(java.lang.String[])"),      // 1.x, 2.x
            server("Jetty", "org.eclipse.jetty.server.Server", "doStart:", null),
            server("Tomcat", "org.apache.catalina.core.StandardService", "startInternal:", TOMCAT_CONNECTORS),
            server("Netty", "io.netty.bootstrap.ServerBootstrap", "bind(java.net.SocketAddress)", null),
            server("Undertow", "io.undertow.Undertow", "start:", null),
            server("JDK HttpServer", "com.sun.net.httpserver.HttpServer", "start:", null),
            server("Vert.x", "io.vertx.core.http.impl.HttpServerImpl", "listen(io.vertx.core.net.SocketAddress)", null),
            server("Helidon", "io.helidon.webserver.LoomServer", "start:", HELIDON_RUNNING),       // 4.x
            server("gRPC", "io.grpc.internal.ServerImpl", "start:", null),          // io.grpc.Server#start is abstract
            server("Armeria", "com.linecorp.armeria.server.Server", "start:", null),
            framework("WildFly Core", "org.jboss.as.server.ServerService", "boot(org.jboss.as.controller.BootContext)")));

    private static Preset framework(String name, String className, String method) {
        return new Preset(name, Kind.FRAMEWORK, className, method, null);
    }

    private static Preset server(String name, String className, String method, Preset.Check check) {
        return new Preset(name, Kind.SERVER, className, method, check);
    }
}
