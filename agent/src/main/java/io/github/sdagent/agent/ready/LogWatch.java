package io.github.sdagent.agent.ready;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UnsupportedEncodingException;
import java.lang.reflect.Method;
import java.nio.charset.Charset;
import java.util.regex.Pattern;

/**
 * {@code ready=log:REGEX}: watches the lines the application writes to System.out and System.err (and so the console
 * appenders that write there: Logback's ConsoleAppender, Log4j 2's Console appender, JUL's ConsoleHandler, when they
 * are set up after the agent started). Every byte goes to the original stream first, in the same call, in order: the
 * watch never reorders, loses or holds back output (it may flush more often: each write is handed on at once). Only
 * complete lines are matched (with {@link java.util.regex.Matcher#find}), on the writing thread, each line at most
 * {@link #MAX_LINE} bytes (the rest is passed on but not matched). After the first match the watch is one volatile
 * read per write.
 */
public final class LogWatch extends OutputStream {

    public interface Matched {
        void matched(String line);
    }

    static final int MAX_LINE = 8192;

    private final PrintStream original;
    private final Charset charset;
    private final Pattern pattern;
    private final Matched onMatch;
    private byte[] line = new byte[128];
    private int length;
    private volatile boolean done;

    LogWatch(PrintStream original, Charset charset, Pattern pattern, Matched onMatch) {
        this.original = original;
        this.charset = charset;
        this.pattern = pattern;
        this.onMatch = onMatch;
    }

    /** Wraps System.out and System.err; the first line matching {@code pattern} on either calls {@code onMatch} once. */
    public static void install(Pattern pattern, Matched onMatch) throws UnsupportedEncodingException {
        Matched once = new Once(onMatch);
        System.setOut(wrap(System.out, "stdout", pattern, once));
        System.setErr(wrap(System.err, "stderr", pattern, once));
    }

    static PrintStream wrap(PrintStream original, String which, Pattern pattern, Matched onMatch)
            throws UnsupportedEncodingException {
        Charset charset = charsetOf(original, which);
        return new PrintStream(new LogWatch(original, charset, pattern, onMatch), true, charset.name());
    }

    /** The stream's own charset (JDK 18+ says; before, the JDK used sun.stdout/stderr.encoding or the default). */
    static Charset charsetOf(PrintStream stream, String which) {
        try {
            Method charset = PrintStream.class.getMethod("charset");
            return (Charset) charset.invoke(stream);
        } catch (Throwable older) {
            String name = System.getProperty("sun." + which + ".encoding");
            try {
                return name == null ? Charset.defaultCharset() : Charset.forName(name);
            } catch (RuntimeException e) {
                return Charset.defaultCharset();
            }
        }
    }

    @Override
    public void write(int b) {
        original.write(b);
        if (!done) {
            synchronized (this) {
                scan(b);
            }
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int count) {
        original.write(bytes, offset, count);
        if (!done) {
            synchronized (this) {
                for (int i = offset; i < offset + count && !done; i++) {
                    scan(bytes[i]);
                }
            }
        }
    }

    @Override
    public void flush() {
        original.flush();
    }

    @Override
    public void close() throws IOException {
        original.close();
    }

    private void scan(int b) {
        if (b == '\n') {
            int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
            String text = new String(line, 0, Math.min(end, MAX_LINE), charset);
            length = 0;
            if (pattern.matcher(text).find()) {
                done = true;
                onMatch.matched(text);
            }
            return;
        }
        if (length < MAX_LINE) {
            if (length == line.length) {
                line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
            }
            line[length++] = (byte) b;
        }
    }

    /** Both streams share one: the first match anywhere counts, once. */
    private static final class Once implements Matched {
        private final Matched delegate;
        private boolean fired;

        Once(Matched delegate) {
            this.delegate = delegate;
        }

        @Override
        public void matched(String line) {
            synchronized (this) {
                if (fired) {
                    return;
                }
                fired = true;
            }
            try {
                delegate.matched(line);
            } catch (Throwable t) {
                // the agent's own reaction must never break the application's printing
            }
        }
    }
}
