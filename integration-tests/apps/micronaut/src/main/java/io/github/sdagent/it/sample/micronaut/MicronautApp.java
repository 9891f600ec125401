package io.github.sdagent.it.sample.micronaut;

import io.github.sdagent.it.sample.Sample;
import io.micronaut.runtime.Micronaut;

/** Micronaut 4 on its Netty HTTP server, started as every Micronaut app starts: {@code Micronaut.run}. */
public final class MicronautApp {
    public static void main(String[] args) throws Exception {
        Sample.beforeStart();
        Micronaut.run(MicronautApp.class, args);
    }
}
