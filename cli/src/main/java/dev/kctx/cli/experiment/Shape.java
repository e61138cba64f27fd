package dev.kctx.cli.experiment;

import java.util.Arrays;

/**
 * Tests the shape of a curve of medians (microseconds) against a parameter, from the data: does it
 * grow, or stay flat? The thresholds are deliberately coarse: the seed's claim is about
 * milliseconds against microseconds, not about a few percent.
 */
public final class Shape {
    /** Grows: the last point is at least this many times the first... */
    static final double GROWTH_FACTOR = 2.0;
    /** ...and at least this much higher (us), so that noise around a tiny value does not count. */
    static final double MIN_RISE_US = 100;
    /** Flat: the highest point is at most this many times the lowest plus {@link #FLAT_SLACK_US}. */
    static final double FLAT_FACTOR = 1.5;
    static final double FLAT_SLACK_US = 20;

    private Shape() {
    }

    public static boolean grows(double[] y) {
        requirePoints(y);
        double first = y[0];
        double last = y[y.length - 1];
        return last >= GROWTH_FACTOR * first && last - first >= MIN_RISE_US;
    }

    public static boolean flat(double[] y) {
        requirePoints(y);
        double min = Arrays.stream(y).min().orElseThrow();
        double max = Arrays.stream(y).max().orElseThrow();
        return max <= FLAT_FACTOR * min + FLAT_SLACK_US;
    }

    /** The words for a curve: "grows", "flat" or "neither". */
    public static String describe(double[] y) {
        return grows(y) ? "grows" : flat(y) ? "flat" : "neither";
    }

    private static void requirePoints(double[] y) {
        if (y.length < 2 || Arrays.stream(y).anyMatch(Double::isNaN)) {
            throw new IllegalArgumentException("a shape needs at least two measured points: " + Arrays.toString(y));
        }
    }
}
