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
    VERTX("vertx", "io.vertx.core.http.HttpServer#listen:int:java.lang.String");

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

    /** The app's own JNA needs native access on JDK 24+, so it cannot run with it denied. */
    boolean usesOwnNativeCode() {
        return this == SPRING_BOOT;
    }
}
