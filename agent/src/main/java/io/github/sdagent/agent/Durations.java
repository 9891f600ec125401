package io.github.sdagent.agent;

import java.time.Duration;

/** systemd-style time spans: {@code 500ms}, {@code 10s}, {@code 2min}, {@code 1h}; a bare number means seconds. */
public final class Durations {

    private Durations() {
    }

    /** @return the duration, or null when {@code text} is not a positive time span (no regex: runs in premain) */
    public static Duration parse(String text) {
        String span = text.trim();
        int digits = 0;
        while (digits < span.length() && span.charAt(digits) >= '0' && span.charAt(digits) <= '9') {
            digits++;
        }
        if (digits == 0 || digits > 9) {
            return null;
        }
        long amount = Long.parseLong(span.substring(0, digits));
        Duration duration;
        switch (span.substring(digits)) {
            case "us": duration = Duration.ofNanos(amount * 1000); break;
            case "ms": duration = Duration.ofMillis(amount); break;
            case "": case "s": case "sec": duration = Duration.ofSeconds(amount); break;
            case "m": case "min": duration = Duration.ofMinutes(amount); break;
            case "h": duration = Duration.ofHours(amount); break;
            default: return null;
        }
        return duration.isZero() ? null : duration;
    }

    /** The shortest exact spelling parse() accepts back, e.g. {@code 1500ms}, {@code 10s}. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return duration.toNanos() / 1000 + "us";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
