package io.github.sdagent.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The one table the run prints (Markdown, so it can go into the README unchanged), plus notes. */
final class Report {
    private record Row(String measurement, String baseline, String withAgent, String result, String target,
                       String verdict) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    void row(String measurement, String baseline, String withAgent, String result, String target, String verdict) {
        rows.add(new Row(measurement, baseline, withAgent, result, target, verdict));
    }

    void note(String note) {
        notes.add(note);
    }

    void failure(String section, Throwable failure) {
        String message = section + ": " + failure;
        failures.add(message);
        String firstLine = String.valueOf(failure.getMessage()).lines().findFirst().orElse("");
        row(section, "-", "-", "FAILED: " + firstLine, "-", "not measured");
    }

    List<String> failures() {
        return failures;
    }

    /** "met" or "missed by N%" for a value that must stay at or below its limit. */
    static String atMost(double value, double limit) {
        if (Double.isNaN(value)) {
            return "not measured";
        }
        if (value <= limit) {
            return "met";
        }
        return String.format(Locale.ROOT, "missed by %.1f%%", (value / limit - 1) * 100);
    }

    String markdown(String title, List<String> header) {
        StringBuilder out = new StringBuilder();
        out.append("### ").append(title).append("\n\n");
        header.forEach(line -> out.append(line).append("  \n"));
        out.append("\n| Measurement | Baseline | With agent | Result | Target | Verdict |\n");
        out.append("|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            out.append("| ").append(String.join(" | ", row.measurement, row.baseline, row.withAgent, row.result,
                    row.target, row.verdict)).append(" |\n");
        }
        if (!notes.isEmpty()) {
            out.append('\n');
            notes.forEach(note -> out.append("- ").append(note).append('\n'));
        }
        return out.toString();
    }
}
