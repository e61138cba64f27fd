package dev.kctx.contexts;

/** Virtual nanoseconds as people read them: {@code 1.25ms}, {@code 5us}, {@code 12ns}. */
public final class TimeFormat {
    private TimeFormat() {
    }

    public static String format(long ns) {
        if (ns % 1_000_000_000L == 0 && ns != 0) {
            return ns / 1_000_000_000L + "s";
        }
        if (ns >= 1_000_000L) {
            return trim(ns / 1e6) + "ms";
        }
        if (ns >= 1_000L) {
            return trim(ns / 1e3) + "us";
        }
        return ns + "ns";
    }

    private static String trim(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
