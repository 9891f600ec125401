package io.github.sdagent.agent;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** systemd-style time spans: {@code 500ms}, {@code 10s}, {@code 2min}, {@code 1h}; a bare number means seconds. */
final class Durations {

    private static final Pattern SPAN = Pattern.compile("(\\d{1,9})(us|ms|s|sec|m|min|h)?");

    private Durations() {
    }

    /** @return the duration, or null when {@code text} is not a positive time span */
    static Duration parse(String text) {
        Matcher m = SPAN.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration duration;
        switch (unit) {
            case "us": duration = Duration.ofNanos(amount * 1000); break;
            case "ms": duration = Duration.ofMillis(amount); break;
            case "m": case "min": duration = Duration.ofMinutes(amount); break;
            case "h": duration = Duration.ofHours(amount); break;
            default: duration = Duration.ofSeconds(amount);
        }
        return duration.isZero() ? null : duration;
    }

    /** The shortest exact spelling parse() accepts back, e.g. {@code 1500ms}, {@code 10s}. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return duration.toNanos() / 1000 + "us";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
