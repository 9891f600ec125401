package io.github.sdagent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the shell examples of README.md and of every docs/*.md and checks that they print what the file shows,
 * so that no command there can go stale (issues 4 and 12). Below, "README" stands for any of these files.
 *
 * <p><b>Which blocks run.</b> A README block is executable iff it has {@code $ } lines. A block is a fenced
 * block ({@code ```} to {@code ```}) or an indented one (lines indented four or more spaces after a blank
 * line). Everything else (unit-file snippets, {@code /opt/...} placeholders, Java code) is illustrative and
 * never run. In an executable block, a line starting with {@code $ } is a command (continued on the next
 * line while it ends with {@code \}); the lines up to the next command are the output the README promises.
 *
 * <p><b>How.</b> Each block runs in one {@code bash} (so {@code export} and variables carry from one
 * command to the next) in the repository root, with stdin from /dev/null, stderr merged into stdout,
 * {@code XDG_RUNTIME_DIR} of the user manager the suite uses, and no inherited NOTIFY_SOCKET, LISTEN_*,
 * WATCHDOG_* or JVM option variables. Every command gets {@value #COMMAND_TIMEOUT_SECONDS} s.
 * Units named in a block ({@code sdagent-...}, which every {@code systemd-run} there must name) are
 * stopped and reset before the block and afterwards, also when it fails.
 *
 * <p><b>Comparison</b>, line by line, after this normalisation and nothing else: trailing whitespace and
 * trailing empty lines are dropped; every number with a decimal point or with two or more digits
 * (durations, pids, ports, timestamps, versions) becomes {@code <n>} (single digits such as exit statuses
 * stay exact); a README line that is exactly {@code ...} matches any number of lines. A mismatch fails
 * with the command, the README's text and the real output.
 */
class ReadmeExamplesIT {
    static final int COMMAND_TIMEOUT_SECONDS = 120;

    private static final Pattern FENCE = Pattern.compile("^\\s*```");
    private static final Pattern UNIT = Pattern.compile("sdagent-[A-Za-z0-9_.@-]+");
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)*");

    /** One command of a block and the output the README shows under it. */
    record Command(int line, String text, List<String> expected) {
    }

    /** An executable README block: its first line number and its commands in order. */
    record Block(int line, List<Command> commands) {
        Set<String> units() {
            Set<String> units = new LinkedHashSet<>();
            for (Command command : commands) {
                Matcher m = UNIT.matcher(command.text);
                while (m.find()) {
                    units.add(m.group().replaceFirst("\\.service$", ""));
                }
            }
            return units;
        }
    }

    @TestFactory
    Stream<DynamicTest> everyShellExampleInTheReadmePrintsWhatItShows() throws IOException {
        Systemd.require();
        Path root = repoRoot();
        return examples(root, "README.md", true);
    }

    /** The same for every docs/*.md (issue 12: the deep sections moved there must not go stale either). */
    @TestFactory
    Stream<DynamicTest> everyShellExampleInTheDocsPrintsWhatItShows() throws IOException {
        Systemd.require();
        Path root = repoRoot();
        List<String> docs;
        try (Stream<Path> files = Files.list(root.resolve("docs"))) {
            docs = files.map(f -> "docs/" + f.getFileName()).filter(n -> n.endsWith(".md")).sorted().toList();
        }
        assertFalse(docs.isEmpty(), "no docs/*.md: the README links there");
        List<DynamicTest> tests = new ArrayList<>();
        for (String doc : docs) {
            examples(root, doc, false).forEach(tests::add);
        }
        return tests.stream();
    }

    private static Stream<DynamicTest> examples(Path root, String file, boolean required) throws IOException {
        List<Block> blocks = executableBlocks(Files.readAllLines(root.resolve(file)));
        if (required) {
            assertFalse(blocks.isEmpty(), file + " has no block with '$ ' lines: the parser or the file broke");
        }
        return blocks.stream().map(block -> DynamicTest.dynamicTest(
                file + ":" + block.line + " $ " + block.commands.get(0).text.lines().findFirst().orElse(""),
                () -> run(root, file, block)));
    }

    /** The rules the javadoc states, so that a README example can really fail. */
    @Test
    void blocksAndComparisonFollowTheStatedRules() {
        List<Block> blocks = executableBlocks(List.of(
                "Text", "", "    [Service]", "    ExecStart=/opt/app", "", "```", "$ echo a \\", "  b", "a b",
                "$ true", "```", "", "```java", "int x;", "```", "", "    $ seq 3", "    1", "    ...", "", "End"));
        assertEquals(2, blocks.size(), blocks.toString());
        assertEquals(List.of(new Command(7, "echo a \\\n  b", List.of("a b")), new Command(10, "true", List.of())),
                blocks.get(0).commands());
        assertEquals(List.of(new Command(17, "seq 3", List.of("1", "..."))), blocks.get(1).commands());

        assertTrue(matches(List.of("Ready in 3.38 s", "..."), 0, List.of("Ready in 12.01 s", "x", "y"), 0));
        assertTrue(matches(List.of("a", "...", "z"), 0, List.of("a", "z"), 0));
        assertFalse(matches(List.of("status=0"), 0, List.of("status=1"), 0), "single digits stay exact");
        assertFalse(matches(List.of("a", "b"), 0, List.of("a", "b", "c"), 0), "extra output is a mismatch");
        assertFalse(matches(List.of("a", "b"), 0, List.of("a"), 0), "missing output is a mismatch");
        assertFalse(matches(List.of("Result=success"), 0, List.of("Result=failed"), 0));
    }

    /** The README's commands use paths relative to the repository root, which holds integration-tests/apps. */
    private static Path repoRoot() {
        Path root = Suite.appsDir().resolve("../..").normalize();
        assertTrue(Files.isRegularFile(root.resolve("README.md")), "no README.md in " + root);
        assertTrue(Files.isRegularFile(root.resolve("agent/target/sd-agent.jar")),
                "the README's examples need agent/target/sd-agent.jar: run mvn verify from the root");
        return root;
    }

    static List<Block> executableBlocks(List<String> readme) {
        List<Block> blocks = new ArrayList<>();
        int i = 0;
        while (i < readme.size()) {
            String line = readme.get(i);
            int start = i;
            List<String> body = new ArrayList<>();
            if (FENCE.matcher(line).find()) {
                for (i++; i < readme.size() && !FENCE.matcher(readme.get(i)).find(); i++) {
                    body.add(readme.get(i));
                }
                i++; // the closing fence
                start++;
            } else if (indent(line) >= 4 && !line.isBlank() && (i == 0 || readme.get(i - 1).isBlank())) {
                int depth = indent(line);
                for (; i < readme.size() && (readme.get(i).isBlank() || indent(readme.get(i)) >= depth); i++) {
                    body.add(readme.get(i).isBlank() ? "" : readme.get(i).substring(depth));
                }
                while (body.get(body.size() - 1).isEmpty()) {
                    body.remove(body.size() - 1); // the blank lines after the block
                }
            } else {
                i++;
                continue;
            }
            List<Command> commands = commands(body, start + 1);
            if (!commands.isEmpty()) {
                blocks.add(new Block(start + 1, commands));
            }
        }
        return blocks;
    }

    private static List<Command> commands(List<String> body, int firstLine) {
        List<Command> commands = new ArrayList<>();
        int i = 0;
        while (i < body.size() && !body.get(i).startsWith("$ ")) {
            i++; // text before the first prompt: not part of any command's output
        }
        while (i < body.size()) {
            int line = firstLine + i;
            StringBuilder text = new StringBuilder(body.get(i).substring(2));
            while (body.get(i).endsWith("\\") && i + 1 < body.size()) {
                text.append('\n').append(body.get(++i));
            }
            List<String> expected = new ArrayList<>();
            for (i++; i < body.size() && !body.get(i).startsWith("$ "); i++) {
                expected.add(body.get(i));
            }
            commands.add(new Command(line, text.toString(), expected));
        }
        return commands;
    }

    private static int indent(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return n;
    }

    private static void run(Path root, String file, Block block) throws Exception {
        for (Command command : block.commands) {
            if (command.text.contains("systemd-run") && !command.text.matches("(?s).*--unit[= ]sdagent-.*")) {
                fail(file + ":" + command.line + ": name the unit (--unit=sdagent-...) so this test can clean it up");
            }
        }
        Set<String> units = block.units();
        units.forEach(ReadmeExamplesIT::stopAndReset); // leftovers of a run that was killed
        try {
            List<Outcome> outcomes = execute(root, block);
            for (int i = 0; i < outcomes.size(); i++) {
                Command command = block.commands.get(i);
                Outcome outcome = outcomes.get(i);
                if (outcome.unfinished || !matches(trimmed(command.expected), 0, trimmed(outcome.lines), 0)) {
                    fail(file + ":" + command.line + ": $ " + command.text
                            + (outcome.unfinished ? "\ndid not finish (see the last output line)" : "")
                            + "\nexit status " + outcome.status
                            + "\n--- README shows:\n" + String.join("\n", command.expected)
                            + "\n--- real output:\n" + String.join("\n", trimmed(outcome.lines))
                            + "\n--- (normalisation: see ReadmeExamplesIT's javadoc)");
                }
            }
        } finally {
            units.forEach(ReadmeExamplesIT::stopAndReset);
        }
    }

    private static void stopAndReset(String unit) {
        Systemd.systemctl("stop", unit);
        Systemd.systemctl("reset-failed", unit);
    }

    /** What one command printed, its exit status (-1 if unfinished: timed out, or the shell ended first). */
    record Outcome(List<String> lines, int status, boolean unfinished) {
    }

    /**
     * Runs the block's commands in one bash, each followed by a marker line carrying its exit status; the
     * marker splits the output per command and restarts the per-command timeout.
     */
    private static List<Outcome> execute(Path root, Block block) throws IOException, InterruptedException {
        String marker = "@@readme-" + UUID.randomUUID() + "@@";
        StringBuilder script = new StringBuilder();
        for (Command command : block.commands) {
            script.append(command.text).append("\nprintf '\\n%s %d\\n' '").append(marker).append("' \"$?\"\n");
        }
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script.toString())
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectInput(new File("/dev/null"));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("NOTIFY_") || k.startsWith("LISTEN_") || k.startsWith("WATCHDOG_")
                || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS") || k.equals("_JAVA_OPTIONS")
                || k.equals("BASH_ENV") || k.equals("CDPATH"));
        env.put("XDG_RUNTIME_DIR", Systemd.runtimeDir());
        Process bash = builder.start();
        BlockingQueue<Object> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(bash.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(reading the output failed: " + e + ")");
            }
            lines.add(Boolean.FALSE); // end of output
        }, "readme-output");
        reader.setDaemon(true);
        reader.start();
        List<Outcome> outcomes = new ArrayList<>();
        try {
            while (outcomes.size() < block.commands.size()) {
                List<String> output = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(COMMAND_TIMEOUT_SECONDS);
                Outcome outcome = null;
                while (outcome == null) {
                    Object next = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (next == null || next == Boolean.FALSE) {
                        output.add(next == null ? "(no end after " + COMMAND_TIMEOUT_SECONDS + " s)" : "(the shell ended)");
                        outcome = new Outcome(output, -1, true);
                    } else if (((String) next).startsWith(marker + " ")) {
                        outcome = new Outcome(output, Integer.parseInt(((String) next).substring(marker.length() + 1)), false);
                    } else {
                        output.add((String) next);
                    }
                }
                outcomes.add(outcome);
                if (outcome.unfinished) {
                    break; // the following commands depend on this one
                }
            }
            bash.waitFor(10, TimeUnit.SECONDS);
        } finally {
            bash.descendants().forEach(ProcessHandle::destroyForcibly);
            bash.destroyForcibly();
        }
        return outcomes;
    }

    private static List<String> trimmed(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.stripTrailing());
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    /** README lines from index e match real lines from index a; a README line "..." matches any lines. */
    static boolean matches(List<String> readme, int e, List<String> real, int a) {
        if (e == readme.size()) {
            return a == real.size();
        }
        if (readme.get(e).equals("...")) {
            for (int skip = a; skip <= real.size(); skip++) {
                if (matches(readme, e + 1, real, skip)) {
                    return true;
                }
            }
            return false;
        }
        return a < real.size() && normalised(readme.get(e)).equals(normalised(real.get(a)))
                && matches(readme, e + 1, real, a + 1);
    }

    static String normalised(String line) {
        return NUMBER.matcher(line).replaceAll(m -> m.group().length() > 1 ? "<n>" : m.group());
    }
}
