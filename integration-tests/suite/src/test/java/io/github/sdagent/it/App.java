package io.github.sdagent.it;

import java.nio.file.Path;

/** The sample servers under apps/, and the ready hook an operator would give the agent for each. */
enum App {
    JETTY("jetty", "org.eclipse.jetty.server.Server#start"),
    TOMCAT("tomcat", "org.apache.catalina.startup.Tomcat#start"),
    SPRING_BOOT("spring-boot", "org.springframework.boot.SpringApplication#run:java.lang.String[]"),
    NETTY("netty", "io.netty.bootstrap.ServerBootstrap#bind:java.lang.String:int"),
    UNDERTOW("undertow", "io.undertow.Undertow#start"),
    JDK_HTTPSERVER("jdk-httpserver", "com.sun.net.httpserver.HttpServer#start"),
    VERTX("vertx", "io.vertx.core.http.HttpServer#listen:int:java.lang.String"),
    // issue 9: ready=auto's presets against real apps; only AutoReadinessIT runs these (autoReadinessOnly)
    DROPWIZARD("dropwizard", "io.dropwizard.core.Application#run:java.lang.String[]"),
    GRPC("grpc", "io.grpc.internal.ServerImpl#start"),
    ARMERIA("armeria", "com.linecorp.armeria.server.Server#start");

    final String dir;
    final String readyHook;

    App(String dir, String readyHook) {
        this.dir = dir;
        this.readyHook = readyHook;
    }

    Path jar() {
        return Suite.appsDir().resolve(dir).resolve("target/app.jar");
    }

    /** What {@code GET /} answers first (see Sample.greeting). */
    String greeting() {
        return "hello from " + dir;
    }

    /** What follows {@code -jar app.jar}: Dropwizard runs as operators run it, {@code server config.yml}. */
    java.util.List<String> args() {
        return this == DROPWIZARD
                ? java.util.List.of("server", Suite.appsDir().resolve(dir).resolve("config.yml").toString())
                : java.util.List.of();
    }

    /** The samples added for ready=auto's presets (issue 9): the generic scenarios (explicit hooks, sockets) skip them. */
    boolean autoReadinessOnly() {
        return compareTo(DROPWIZARD) >= 0;
    }

    /** The app's own JNA needs native access on JDK 24+, so it cannot run with it denied. */
    boolean usesOwnNativeCode() {
        return this == SPRING_BOOT;
    }
}
