import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Build step (run by agent/pom.xml on the staged agent jar's contents; a single-file program, nothing of it ships):
 * writes the internals' package names, one per line, to {@code META-INF/sd-agent/internal-packages}, and the bridge's
 * class entries to {@code META-INF/sd-agent/bridge-classes}. The launcher defines the internals' module with the
 * first, the agent defines the bridge in the bootstrap loader from the second, and reading one entry at start-up
 * costs a fraction of enumerating the jar's 650 entries (issue 14: about 4 ms of a cold JVM's CPU, each time).
 * Packages are those of {@code .classdata} entries, except the bridge's; the launcher's are {@code .class} entries.
 */
public final class InternalPackages {

    static final String ENTRY = "META-INF/sd-agent/internal-packages";
    static final String BRIDGE_ENTRY = "META-INF/sd-agent/bridge-classes";
    static final String BRIDGE = "io/github/sdagent/agent/bridge/";

    public static void main(String[] args) throws IOException {
        Path staging = Paths.get(args[0]);
        Set<String> packages = new TreeSet<>();
        Set<String> bridge = new TreeSet<>();
        try (Stream<Path> files = Files.walk(staging)) {
            files.map(file -> staging.relativize(file).toString().replace('\\', '/'))
                    .filter(name -> name.endsWith(".classdata") && name.indexOf('/') > 0)
                    .forEach(name -> {
                        if (name.startsWith(BRIDGE)) {
                            bridge.add(name);
                        } else {
                            packages.add(name.substring(0, name.lastIndexOf('/')).replace('/', '.'));
                        }
                    });
        }
        if (packages.isEmpty() || bridge.isEmpty()) {
            throw new IllegalStateException("no internal or no bridge .classdata entries under " + staging);
        }
        write(staging.resolve(ENTRY), packages);
        write(staging.resolve(BRIDGE_ENTRY), bridge);
        System.out.println("InternalPackages: " + packages.size() + " packages listed in " + ENTRY + ", "
                + bridge.size() + " classes in " + BRIDGE_ENTRY);
    }

    private static void write(Path list, Set<String> lines) throws IOException {
        Files.createDirectories(list.getParent());
        Files.write(list, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
