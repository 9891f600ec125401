package io.github.sdagent.it.sample.boot;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.github.sdagent.it.sample.Sample;
import java.util.Map;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.implementation.FixedValue;
import net.bytebuddy.matcher.ElementMatchers;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot web app that uses its own JNA (a native getpid) and its own Byte Buddy (a generated
 * class) at startup and on every request. {@code GET /} answers the greeting plus what it used, so
 * a test can tell whose JNA and Byte Buddy the app really got.
 */
@SpringBootApplication
@RestController
public class BootApp {
    /** Direct JNA interface mapping, the way JNA 5.8-era apps do it. */
    public interface CLibrary extends Library {
        int getpid();
    }

    static String libraries() throws Exception {
        CLibrary libc = Native.load("c", CLibrary.class);
        // Pinned class file version: Byte Buddy 1.12 predates JDK 25 and would refuse its version.
        Object generated = new ByteBuddy(ClassFileVersion.JAVA_V8)
                .subclass(Object.class)
                .method(ElementMatchers.named("toString"))
                .intercept(FixedValue.value("generated"))
                .make()
                .load(BootApp.class.getClassLoader())
                .getLoaded()
                .getDeclaredConstructor()
                .newInstance();
        return "getpid=" + libc.getpid()
                + " jna=" + Native.VERSION
                + " jna-from=" + Native.class.getProtectionDomain().getCodeSource().getLocation()
                + " bytebuddy-from=" + ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation()
                + " bytebuddy-made=" + generated;
    }

    @GetMapping("/")
    public String hello() throws Exception {
        return Sample.greeting("spring-boot") + libraries() + "\n";
    }

    public static void main(String[] args) throws Exception {
        Sample.beforeStart();
        System.out.println("startup libraries: " + libraries());
        SpringApplication app = new SpringApplication(BootApp.class);
        app.setDefaultProperties(Map.of(
                "server.port", Integer.toString(Sample.port()),
                "server.address", Sample.HOST,
                "spring.main.banner-mode", "off"));
        app.run(args);
    }
}
