package io.github.sdagent.it.sample.quarkus;

import io.github.sdagent.it.sample.Sample;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** Quarkus 3 with its REST extension; a main of its own only for the samples' start delay. */
@QuarkusMain
public final class QuarkusApp {
    public static void main(String[] args) throws Exception {
        Sample.beforeStart();
        Quarkus.run(args);
    }
}
