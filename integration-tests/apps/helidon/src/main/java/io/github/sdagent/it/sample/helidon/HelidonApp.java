package io.github.sdagent.it.sample.helidon;

import io.github.sdagent.it.sample.Sample;
import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;

/** Helidon 4 SE as its quickstart starts it: server settings from the config, then {@code start()}. */
public final class HelidonApp {
    public static void main(String[] args) throws Exception {
        Sample.beforeStart();
        LogConfig.configureRuntime();
        Config config = Config.create();
        WebServer.builder()
                .config(config.get("server"))
                .routing(routing -> routing.get("/", (request, response) -> response.send(Sample.greeting("helidon"))))
                .build()
                .start();
    }
}
