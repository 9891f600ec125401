package io.github.sdagent.agent.testapp;

import com.sun.net.httpserver.HttpServer;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A tiny application with no sd-agent code: the forked-JVM tests hook {@code TinyHttpApp#listen}. Modes (first
 * argument): {@code serve} (HTTP until stopped), {@code fail} (listen throws), {@code exit} (runs two seconds),
 * {@code spawn} (starts a child JVM running {@link ChildApp} with the inherited environment), {@code probe} (tries to
 * load agent internals from the application class loader), {@code jna [trigger-file]} (uses the application's own JNA, once
 * the trigger file exists).
 */
public final class TinyHttpApp {

    private TinyHttpApp() {
    }

    public static HttpServer listen(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            byte[] body = "hello from TinyHttpApp\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    public static void failToListen() throws IOException {
        throw new IOException("port 1 is taken\nSTATUS=injected");
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "serve";
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("app shutdown hook ran")));
        switch (mode) {
            case "serve": {
                HttpServer server = listen(args.length > 1 ? Integer.parseInt(args[1]) : 0);
                System.out.println("listening on port " + server.getAddress().getPort() + " pid " + ProcessHandle.current().pid());
                Thread.sleep(Long.MAX_VALUE);
                break;
            }
            case "fail":
                try {
                    failToListen();
                } catch (IOException e) {
                    System.out.println("app saw its own failure: " + e.getMessage().split("\n")[0]);
                }
                Thread.sleep(Long.MAX_VALUE);
                break;
            case "exit":
                Thread.sleep(2000);
                System.out.println("app done");
                break;
            case "spawn": {
                listen(0);
                String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
                ProcessBuilder child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                        ChildApp.class.getName()).inheritIO();
                Process process = child.start();
                System.out.println("child pid " + process.pid() + " exited " + process.waitFor());
                System.out.println("app done");
                Thread.sleep(Long.MAX_VALUE);
                break;
            }
            case "probe":
                Thread.sleep(1500); // the agent starts on a thread of its own, alongside main: let it finish
                for (String name : new String[] {"io.github.sdagent.agent.AgentMain", "net.bytebuddy.ByteBuddy",
                        "com.sun.jna.Native", "io.github.sdagent.core.Daemon"}) {
                    try {
                        Class.forName(name, false, TinyHttpApp.class.getClassLoader());
                        System.out.println("visible " + name);
                    } catch (ClassNotFoundException expected) {
                        System.out.println("invisible " + name);
                    }
                }
                System.out.println("app done");
                break;
            case "jna-child-loader": { // as in a Spring Boot fat jar: JNA in a child of the application loader
                java.net.URL jar = new File(args[1]).toURI().toURL();
                ClassLoader child = new java.net.URLClassLoader(new java.net.URL[] {jar}, TinyHttpApp.class.getClassLoader());
                Class<?> nativeClass = Class.forName("com.sun.jna.Native", true, child);
                System.out.println("app jna " + nativeClass.getPackage().getImplementationVersion() + " "
                        + nativeClass.getMethod("getDefaultStringEncoding").invoke(null));
                System.out.println("app done");
                break;
            }
            case "jna":
                if (args.length > 1) { // initialise our JNA only once the test says so (after the agent's)
                    while (!new File(args[1]).exists()) {
                        Thread.sleep(20);
                    }
                }
                Class<?> nativeClass = Class.forName("com.sun.jna.Native");
                Object encoding = nativeClass.getMethod("getDefaultStringEncoding").invoke(null);
                System.out.println("app jna " + nativeClass.getPackage().getImplementationVersion()
                        + " loader " + nativeClass.getClassLoader() + " " + encoding);
                System.out.println("app done");
                Thread.sleep(args.length > 1 ? Long.MAX_VALUE : 0);
                break;
            default:
                throw new IllegalArgumentException(mode);
        }
    }

    /** The child: prints what it inherited, then exits. */
    public static final class ChildApp {
        public static void main(String[] args) throws Exception {
            Map<String, String> env = System.getenv();
            System.out.println("child NOTIFY_SOCKET=" + env.get("NOTIFY_SOCKET") + " JAVA_TOOL_OPTIONS=" + env.get("JAVA_TOOL_OPTIONS"));
            Thread.sleep(1500);
        }
    }
}
