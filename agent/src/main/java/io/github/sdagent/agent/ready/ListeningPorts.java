package io.github.sdagent.agent.ready;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The TCP ports this process listens on, read once from /proc (the sockets among /proc/self/fd, matched by inode
 * against /proc/self/net/tcp and tcp6 in state LISTEN), for the READY status ({@code Jetty 12.1.14 on :8080}).
 * Only a description: readiness itself never depends on it.
 */
final class ListeningPorts {

    private static final String LISTEN = "0A";

    private ListeningPorts() {
    }

    /** The ports, or none when /proc cannot tell. */
    static Set<Integer> ports() {
        Set<Integer> ports = new TreeSet<>();
        try {
            Set<String> inodes = socketInodes();
            read("/proc/self/net/tcp", inodes, ports);
            read("/proc/self/net/tcp6", inodes, ports);
        } catch (Throwable t) {
            // nothing known
        }
        return ports;
    }

    /** {@code :8080, :8443}, or "" when there is none or /proc cannot tell. */
    static String describe() {
        try {
            Set<Integer> ports = ports();
            StringBuilder text = new StringBuilder();
            for (int port : ports) {
                text.append(text.length() == 0 ? ":" : ", :").append(port);
            }
            return text.toString();
        } catch (Throwable t) {
            return "";
        }
    }

    private static Set<String> socketInodes() throws IOException {
        Set<String> inodes = new HashSet<>();
        File[] fds = new File("/proc/self/fd").listFiles();
        if (fds == null) {
            return inodes;
        }
        for (File fd : fds) {
            try {
                Path target = Files.readSymbolicLink(fd.toPath());
                String link = target.toString();
                if (link.startsWith("socket:[")) {
                    inodes.add(link.substring(8, link.length() - 1));
                }
            } catch (IOException | UnsupportedOperationException e) {
                // closed meanwhile
            }
        }
        return inodes;
    }

    private static void read(String table, Set<String> inodes, Set<Integer> ports) throws IOException {
        if (!new File(table).canRead()) {
            return;
        }
        try (BufferedReader lines = new BufferedReader(new FileReader(table))) {
            lines.readLine(); // header
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 9 && LISTEN.equals(fields[3]) && inodes.contains(fields[9])) {
                    String local = fields[1];
                    ports.add(Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
                }
            }
        }
    }

}
