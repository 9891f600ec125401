package io.github.sdagent.it.sample.undertow;

import io.github.sdagent.it.sample.Sample;
import io.undertow.Undertow;

/** Undertow with one handler. */
public final class UndertowApp {
    public static void main(String[] args) throws Exception {
        Sample.beforeStart();
        Undertow.builder()
                .addHttpListener(Sample.port(), Sample.HOST)
                .setHandler(exchange -> exchange.getResponseSender().send(Sample.greeting("undertow")))
                .build()
                .start();
    }
}
