package io.github.sdagent.agent.config;

import java.time.Duration;

/** systemd-style time spans: {@code 500ms}, {@code 10s}, {@code 2min}, {@code 1h}; a bare number means seconds. */
public final class Durations {

    private static final long MAX_AMOUNT = 999_999_999;

    private Durations() {
    }

    /** @return the duration, or null when {@code text} is not a positive time span (no regex: runs in premain) */
    public static Duration parse(String text) {
        String span = text.trim();
        int digits = 0;
        while (digits < span.length() && span.charAt(digits) >= '0' && span.charAt(digits) <= '9') {
            digits++;
        }
        if (digits == 0 || digits > Long.toString(MAX_AMOUNT).length()) {
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
        if (duration.getNano() % 1_000_000 != 0) { // exact: 1001us stays 1001us, not 1ms
            return duration.toNanos() / 1000 + "us";
        }
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000; // parse() takes at most 9 digits: 999999999h is 3599999996400s
        return seconds <= MAX_AMOUNT ? seconds + "s" : seconds / 60 <= MAX_AMOUNT ? seconds / 60 + "min" : seconds / 3600 + "h";
    }
}
