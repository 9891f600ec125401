package io.github.sdagent.it.sample.quarkus;

import io.github.sdagent.it.sample.Sample;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/")
public class Greeting {
    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String hello() {
        return Sample.greeting("quarkus");
    }
}
