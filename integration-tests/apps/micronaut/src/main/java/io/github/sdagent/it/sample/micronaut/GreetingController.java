package io.github.sdagent.it.sample.micronaut;

import io.github.sdagent.it.sample.Sample;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;

@Controller("/")
public class GreetingController {
    @Get
    @Produces(MediaType.TEXT_PLAIN)
    public String hello() {
        return Sample.greeting("micronaut");
    }
}
