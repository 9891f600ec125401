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
 * writes the internals' package names, one per line, to {@code META-INF/sd-agent/internal-packages}. The launcher
 * defines the internals' module with them, and reading this one entry at start-up costs a fraction of enumerating
 * the jar's 650 entries for them (issue 14: about 4 ms of a cold JVM's CPU on every start). The same rule as the
 * launcher's fallback, ModuleLayers.internalPackages: packages of {@code .classdata} entries, except the bridge's.
 */
public final class InternalPackages {

    static final String ENTRY = "META-INF/sd-agent/internal-packages";
    static final String BRIDGE = "io/github/sdagent/agent/bridge/";

    public static void main(String[] args) throws IOException {
        Path staging = Paths.get(args[0]);
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> files = Files.walk(staging)) {
            files.map(file -> staging.relativize(file).toString().replace('\\', '/'))
                    .filter(name -> name.endsWith(".classdata") && !name.startsWith(BRIDGE) && name.indexOf('/') > 0)
                    .forEach(name -> packages.add(name.substring(0, name.lastIndexOf('/')).replace('/', '.')));
        }
        if (packages.isEmpty()) {
            throw new IllegalStateException("no .classdata entries under " + staging);
        }
        Path list = staging.resolve(ENTRY);
        Files.createDirectories(list.getParent());
        Files.write(list, (String.join("\n", packages) + "\n").getBytes(StandardCharsets.UTF_8));
        System.out.println("InternalPackages: " + packages.size() + " packages listed in " + ENTRY);
    }
}
