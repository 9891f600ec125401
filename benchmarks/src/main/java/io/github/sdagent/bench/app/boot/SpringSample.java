package io.github.sdagent.bench.app.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The benchmarks' Spring Boot 3 application (embedded Tomcat, Spring MVC), no sd-agent code. Takes
 * {@code --server.port=N --server.address=127.0.0.1}; the operator's hook for it is
 * {@code ready=org.springframework.boot.SpringApplication#run:java.lang.String[]}.
 */
@SpringBootApplication
@RestController
public class SpringSample {
    @GetMapping("/")
    public String ok() {
        return "ok\n";
    }

    public static void main(String[] args) {
        System.setProperty("spring.main.banner-mode", "off");
        SpringApplication.run(SpringSample.class, args);
    }
}
