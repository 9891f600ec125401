package io.github.sdagent.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Order statistics of one series of measurements (nearest-rank percentiles). */
record Stats(double[] sorted) {
    static Stats of(List<? extends Number> values) {
        double[] array = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
        return new Stats(array);
    }

    int n() {
        return sorted.length;
    }

    boolean isEmpty() {
        return sorted.length == 0;
    }

    double percentile(double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    double median() {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    double min() {
        return sorted.length == 0 ? Double.NaN : sorted[0];
    }

    double max() {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }

    /** "median (p25..p75, n=N)" with the given number format. */
    String describe(String format) {
        if (sorted.length == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, format + " (IQR " + format + ".." + format + ", n=%d)",
                median(), percentile(25), percentile(75), sorted.length);
    }

    @Override
    public String toString() {
        return Arrays.toString(sorted);
    }
}
