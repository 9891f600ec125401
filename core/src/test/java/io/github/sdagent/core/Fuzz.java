package io.github.sdagent.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Property-based testing without a library: a seeded generator of strings biased toward what breaks parsers (the
 * grammar's own special characters and tokens, separators, whitespace, control characters, unicode, huge numbers,
 * the empty string), and {@link #check} to run a property on thousands of them. One seed per run, printed in every
 * failure and settable with {@code -Dsdagent.test.seed=N}, so a failure replays exactly (each property draws from its
 * own {@code Random} seeded with the run's seed and the property's name). {@code -Dsdagent.test.runs=N} changes how
 * many inputs each property gets.
 */
public final class Fuzz {

    /** The run's seed: given, or fresh for every run (so each run tries new inputs). */
    public static final long SEED = Long.getLong("sdagent.test.seed", System.nanoTime() ^ System.currentTimeMillis());
    public static final int RUNS = Integer.getInteger("sdagent.test.runs", 3000);

    private static final String[] NASTY = {
        "", " ", "  ", "\t", "\n", "\r\n", "\r", "\u0000", "\u0007", "\u001b[31m", "\u007f", "\u0085", "\u00a0",
        "\u2028", "\u2029", "\u202e", "\ufeff", "\ud800", "\udc00", "\ud83d\ude00", "\u00e9", "\u4e2d\u6587",
        "\u0661\u0662", "\uff11", "\u0130", "%s", "%n", "\\", "\\u0041", "\\n", "\"", "'", "${x}", "..", "/", "@",
        "0", "-1", "+1", "00000000000000000000001", "9223372036854775807", "9223372036854775808",
        "18446744073709551615", "4294967295", "4294967296", "2147483647", "2147483648", "999999999", "1e9", "0x10",
        "NaN", "-0", "1_000",
    };

    private final Random random;
    private final String[] tokens;
    private final String specials;

    /**
     * @param tokens   words of the grammar (keys, keywords, units, valid examples) to combine and mutate
     * @param specials the grammar's special characters (separators, brackets, ...)
     */
    public Fuzz(Random random, String[] tokens, String specials) {
        this.random = random;
        this.tokens = tokens;
        this.specials = specials;
    }

    /** A random input: sometimes a valid-looking token sequence, sometimes noise, often a mutation of either. */
    public String next() {
        StringBuilder text = new StringBuilder();
        int parts = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(random.nextInt(8) + 1);
        for (int i = 0; i < parts; i++) {
            text.append(part());
        }
        if (random.nextInt(40) == 0) { // a huge value: 100 to 20,000 characters
            String seed = text.length() == 0 ? pick(tokens) : text.toString();
            int copies = 100 + random.nextInt(20_000) / Math.max(1, seed.length());
            for (int i = 0; i < copies; i++) {
                text.append(seed);
            }
        }
        return random.nextInt(4) == 0 ? mutate(text.toString()) : text.toString();
    }

    private String part() {
        switch (random.nextInt(8)) {
            case 0: case 1: case 2: return pick(tokens);
            case 3: return String.valueOf(specials.charAt(random.nextInt(specials.length())));
            case 4: return pick(NASTY);
            case 5: return number();
            case 6: return randomChars(1 + random.nextInt(6));
            default: return random.nextBoolean() ? "a" : "x.Y";
        }
    }

    /** A number that parsers get wrong: zero, tiny, the edges of int/long/uint32, huge, negative. */
    public String number() {
        switch (random.nextInt(6)) {
            case 0: return Integer.toString(random.nextInt(10));
            case 1: return Long.toString(random.nextLong() & Long.MAX_VALUE);
            case 2: return Integer.toString(random.nextInt(100_000));
            case 3: return pick(new String[] {"0", "1", "2147483647", "2147483648", "4294967295", "4294967296",
                "9223372036854775807", "9223372036854775808", "99999999999999999999999999", "-1"});
            case 4: return "-" + random.nextInt(1000);
            default: return Integer.toString(random.nextInt(1000_000_000));
        }
    }

    private String randomChars(int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            switch (random.nextInt(4)) {
                case 0: text.append((char) random.nextInt(0x20)); break;        // control characters
                case 1: text.append((char) (0x20 + random.nextInt(0x5f))); break; // printable ASCII
                case 2: text.append((char) random.nextInt(0x10000)); break;      // any UTF-16 unit, surrogates too
                default: text.appendCodePoint(0x10000 + random.nextInt(0x100000)); break;
            }
        }
        return text.toString();
    }

    private String mutate(String text) {
        if (text.isEmpty()) {
            return pick(NASTY);
        }
        int at = random.nextInt(text.length() + 1);
        switch (random.nextInt(4)) {
            case 0: return text.substring(0, at) + part() + text.substring(at); // insert
            case 1: return text.substring(0, at);                               // truncate
            case 2: return at < text.length() ? text.substring(0, at) + text.substring(at + 1) : text; // delete
            default: return text.substring(at) + text.substring(0, at);         // rotate
        }
    }

    public String pick(String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public boolean nextBoolean() {
        return random.nextBoolean();
    }

    /** What a property says about one input: null when it holds, else why not. */
    public interface Property<T> {
        String problem(T input) throws Exception;
    }

    /**
     * Runs {@code property} on {@link #RUNS} inputs from {@code generator} and fails with the first input that breaks
     * it, quoted with escapes, the problem, and the seed that replays it.
     */
    public static <T> void check(String name, Function<Fuzz, T> generator, String[] tokens, String specials,
                                 Property<T> property) {
        Fuzz fuzz = new Fuzz(new Random(SEED ^ name.hashCode()), tokens, specials);
        for (int run = 0; run < RUNS; run++) {
            T input = generator.apply(fuzz);
            String problem;
            try {
                problem = property.problem(input);
            } catch (Throwable escaped) {
                problem = "threw " + escaped;
                AssertionError failure = new AssertionError(failure(name, run, input, problem));
                failure.initCause(escaped);
                throw failure;
            }
            if (problem != null) {
                throw new AssertionError(failure(name, run, input, problem));
            }
        }
    }

    private static String failure(String name, int run, Object input, String problem) {
        String shown = input instanceof Object[] ? escaped(Arrays.deepToString((Object[]) input)) : escaped(String.valueOf(input));
        return "property '" + name + "' fails for input #" + run + " " + shown + ": " + problem
                + " (replay with -Dsdagent.test.seed=" + SEED + ")";
    }

    /** Java-style escapes for everything outside printable ASCII, shortened past 300 characters. */
    public static String escaped(String text) {
        StringBuilder out = new StringBuilder("\"");
        int i = 0;
        for (; i < text.length() && out.length() < 300; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.append(i < text.length() ? "...\" (" + text.length() + " chars)" : "\"").toString();
    }

    /** The one-line rule for every message an operator reads: no line break, no other control character. */
    public static String lineProblem(String message) {
        if (message == null || message.isEmpty()) {
            return "no message";
        }
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return "message has control character U+" + Integer.toHexString(c) + " at " + i + ": " + escaped(message);
            }
        }
        return null;
    }

    public static List<String> list(String... items) {
        return new ArrayList<>(Arrays.asList(items));
    }
}
