package io.github.sdagent.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The sample servers under apps/, and the ready hook an operator would give the agent for each. */
enum App {
    JETTY("jetty", "org.eclipse.jetty.server.Server#start"),
    TOMCAT("tomcat", "org.apache.catalina.startup.Tomcat#start"),
    SPRING_BOOT("spring-boot", "org.springframework.boot.SpringApplication#run:java.lang.String[]"),
    NETTY("netty", "io.netty.bootstrap.ServerBootstrap#bind:java.lang.String:int"),
    UNDERTOW("undertow", "io.undertow.Undertow#start"),
    JDK_HTTPSERVER("jdk-httpserver", "com.sun.net.httpserver.HttpServer#start"),
    VERTX("vertx", "io.vertx.core.http.HttpServer#listen:int:java.lang.String"),
    // ready=auto presets against real frameworks (docs/readiness-frameworks.md)
    /** Packaged as Quarkus packages it: an operator runs {@code java -jar quarkus-app/quarkus-run.jar}. */
    QUARKUS("quarkus", "io.quarkus.runtime.Application#start", "target/quarkus-app/quarkus-run.jar"),
    MICRONAUT("micronaut", "io.micronaut.http.server.netty.NettyHttpServer#start"),
    /** Helidon 4 is compiled for Java 21: it runs on JDK 25 only (see runsOn). */
    HELIDON("helidon", "io.helidon.webserver.LoomServer#start"),
    // issue 9: ready=auto's presets against real apps; only AutoReadinessIT runs these (autoReadinessOnly)
    DROPWIZARD("dropwizard", "io.dropwizard.core.Application#run:java.lang.String[]"),
    GRPC("grpc", "io.grpc.internal.ServerImpl#start"),
    ARMERIA("armeria", "com.linecorp.armeria.server.Server#start");

    final String dir;
    final String readyHook;
    private final String jar;

    App(String dir, String readyHook) {
        this(dir, readyHook, "target/app.jar");
    }

    App(String dir, String readyHook, String jar) {
        this.dir = dir;
        this.readyHook = readyHook;
        this.jar = jar;
    }

    Path jar() {
        return Suite.appsDir().resolve(dir).resolve(jar);
    }

    /**
     * The apps the scenarios iterate: all, or those named by {@code -Dit.apps=quarkus,micronaut} (their dirs), to
     * run a parameterized scenario for a few apps while developing.
     */
    static List<App> underTest() {
        String only = System.getProperty("it.apps", "").trim();
        List<App> apps = new ArrayList<>();
        for (App app : values()) {
            if (only.isEmpty() || Arrays.asList(only.split(",")).contains(app.dir)) {
                apps.add(app);
            }
        }
        return apps;
    }

    /**
     * Whether the app runs on this JDK at all: Helidon 4 needs Java 21 (its classes are version 65), so its
     * scenarios run on JDK 25 only; every other sample runs on both.
     */
    boolean runsOn(Jdk jdk) {
        return this != HELIDON || jdk != Jdk.JDK17;
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
