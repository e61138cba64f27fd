package dev.kctx.contexts;

import java.util.Locale;

/** Virtual durations: constructors in nanoseconds and the parser for {@code 5us}, {@code 2ms}, {@code 1.5s}. */
public final class Durations {
    private Durations() {
    }

    public static long ns(long v) {
        return v;
    }

    public static long us(long v) {
        return v * 1_000L;
    }

    public static long ms(long v) {
        return v * 1_000_000L;
    }

    public static long s(long v) {
        return v * 1_000_000_000L;
    }

    /**
     * Parses a duration with a unit (ns, us, ms, s). Throws IllegalArgumentException with the
     * expected form on anything else, including negative values.
     */
    public static long parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long mult;
        String num;
        if (t.endsWith("ns")) {
            mult = 1;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("us")) {
            mult = 1_000L;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("ms")) {
            mult = 1_000_000L;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            mult = 1_000_000_000L;
            num = t.substring(0, t.length() - 1);
        } else {
            throw new IllegalArgumentException("bad duration '" + text + "': expected a number with a unit ns, us, ms or s, e.g. 5us");
        }
        double v;
        try {
            v = Double.parseDouble(num.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad duration '" + text + "': expected a number with a unit ns, us, ms or s, e.g. 5us");
        }
        if (v < 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("bad duration '" + text + "': must not be negative");
        }
        double total = v * mult;
        if (total > Long.MAX_VALUE / 4.0) {
            throw new IllegalArgumentException("bad duration '" + text + "': too large");
        }
        return Math.round(total);
    }
}
