package dev.kctx.contexts;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Pattern;

/** Virtual durations: constructors in nanoseconds and the parser for {@code 5us}, {@code 2ms}, {@code 1.5s}. */
public final class Durations {
    /** The largest duration parse accepts (about 73 years): leaves headroom for adding times without overflow. */
    public static final long MAX_NS = Long.MAX_VALUE / 4;

    private static final Pattern NUMBER = Pattern.compile("[0-9]+(\\.[0-9]+)?");
    private static final String FORM = "expected a number with a unit ns, us, ms or s, e.g. 5us or 1.5ms";

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
     * Parses a duration with a unit (ns, us, ms, s): digits with an optional decimal part, e.g.
     * {@code 5us} or {@code 1.5ms}, rounded to the nearest nanosecond. Throws
     * IllegalArgumentException with the expected form on anything else, including negative
     * values and values beyond {@link #MAX_NS}.
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
            throw new IllegalArgumentException("bad duration '" + text + "': " + FORM);
        }
        num = num.trim();
        // A strict form: Double.parseDouble would also take "1f" (so "1fs" meant one second), "1e3", "NaN".
        if (num.startsWith("-") && NUMBER.matcher(num.substring(1)).matches()) {
            throw new IllegalArgumentException("bad duration '" + text + "': must not be negative");
        }
        if (!NUMBER.matcher(num).matches()) {
            throw new IllegalArgumentException("bad duration '" + text + "': " + FORM);
        }
        BigDecimal total = new BigDecimal(num).multiply(BigDecimal.valueOf(mult)).setScale(0, RoundingMode.HALF_UP);
        if (total.compareTo(BigDecimal.valueOf(MAX_NS)) > 0) {
            throw new IllegalArgumentException("bad duration '" + text + "': too large, at most " + MAX_NS + "ns");
        }
        return total.longValueExact();
    }
}
