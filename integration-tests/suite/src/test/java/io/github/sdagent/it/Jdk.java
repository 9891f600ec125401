package io.github.sdagent.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The JVMs the sample apps run on: every scenario runs on both. */
enum Jdk {
    JDK17("it.jdk17.home", List.of()),
    /** Native access denied to everything not explicitly enabled: the agent must need no flag for its JNA. */
    JDK25("it.jdk25.home", List.of("--illegal-native-access=deny"));

    private final String homeProperty;
    private final List<String> strictFlags;

    Jdk(String homeProperty, List<String> strictFlags) {
        this.homeProperty = homeProperty;
        this.strictFlags = strictFlags;
    }

    Path java() {
        Path java = Suite.path(homeProperty).resolve("bin/java");
        Suite.require(Files.isExecutable(java), this + " is not installed at " + java);
        return java;
    }

    /** JVM flags that make the JDK as strict as it gets about what the agent may do. */
    List<String> strictFlags() {
        return strictFlags;
    }

    String id() {
        return name().toLowerCase();
    }
}
