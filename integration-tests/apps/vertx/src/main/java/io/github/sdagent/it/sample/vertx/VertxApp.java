package io.github.sdagent.it.sample.vertx;

import io.github.sdagent.it.sample.Sample;
import io.vertx.core.Vertx;

/** Vert.x 4 HTTP server; {@code listen} returns Vert.x's own Future. */
public final class VertxApp {
    public static void main(String[] args) throws Exception {
        Sample.beforeStart();
        Vertx.vertx()
                .createHttpServer()
                .requestHandler(request -> request.response().end(Sample.greeting("vertx")))
                .listen(Sample.port(), Sample.HOST)
                .onFailure(failure -> {
                    failure.printStackTrace();
                    System.exit(1);
                });
    }
}
