package io.github.sdagent.it.sample.dropwizard;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.github.sdagent.it.sample.Sample;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * A Dropwizard 4 application, run as operators do: {@code java -jar app.jar server config.yml} (config.yml beside
 * this module's pom; its port is {@code ${PORT}}). Dropwizard starts its embedded Jetty inside
 * {@code Application#run}.
 */
public final class DropwizardApp extends Application<Configuration> {

    public static void main(String[] args) throws Exception {
        Sample.beforeStart();
        new DropwizardApp().run(args);
    }

    @Override
    public void initialize(Bootstrap<Configuration> bootstrap) {
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    }

    @Override
    public void run(Configuration configuration, Environment environment) {
        environment.jersey().register(new Hello());
    }

    @Path("/")
    public static final class Hello {
        @GET
        @Produces(MediaType.TEXT_PLAIN)
        public String hello() {
            return Sample.greeting("dropwizard");
        }
    }
}
