package io.github.sdagent.agent.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A process's descendants, read from /proc (Java 8 has no ProcessHandle): what a cgroup would hold for {@code check}. */
final class ProcessTree {

    private ProcessTree() {
    }

    static Set<Integer> descendants(int root) {
        Map<Integer, List<Integer>> children = new HashMap<>();
        File[] entries = new File("/proc").listFiles();
        if (entries != null) {
            for (File entry : entries) {
                String name = entry.getName();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                int parent = parentOf(entry);
                if (parent > 0) {
                    List<Integer> list = children.get(parent);
                    if (list == null) {
                        list = new ArrayList<>();
                        children.put(parent, list);
                    }
                    list.add(Integer.parseInt(name));
                }
            }
        }
        Set<Integer> found = new LinkedHashSet<>();
        List<Integer> queue = new ArrayList<>();
        queue.add(root);
        while (!queue.isEmpty()) {
            List<Integer> next = children.get(queue.remove(0));
            if (next != null) {
                for (int pid : next) {
                    if (found.add(pid)) {
                        queue.add(pid);
                    }
                }
            }
        }
        return found;
    }

    /** Field 4 of /proc/PID/stat, after the command name in parentheses (which may itself contain ") "). */
    private static int parentOf(File procEntry) {
        try {
            String stat = new String(Files.readAllBytes(new File(procEntry, "stat").toPath()), StandardCharsets.UTF_8);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(fields[1]);
        } catch (IOException | RuntimeException gone) {
            return -1; // the process ended meanwhile
        }
    }
}
