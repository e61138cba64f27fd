package dev.kctx.cli.scenario;

import dev.kctx.contexts.Durations;

import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;

/** Conversions of located YAML values, each failing with a {@link ScenarioError} at the value. */
public final class Values {
    /** Names of IRQs, locks, tasks, wait queues: what the trace and actor names can carry. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+:-]*");

    private Values() {
    }

    static boolean isNull(Node n) {
        return n instanceof Node.ScalarNode s && s.kind() == Node.ScalarKind.NULL;
    }

    public static Node.MapNode map(Node n, String what, String expected) {
        if (n instanceof Node.MapNode m) {
            return m;
        }
        throw wrongType(n, what, "a mapping with " + expected);
    }

    public static Node.SeqNode seq(Node n, String what, String expected) {
        if (n instanceof Node.SeqNode s) {
            return s;
        }
        throw wrongType(n, what, "a list of " + expected);
    }

    public static ScenarioError wrongType(Node n, String what, String expected) {
        return new ScenarioError(n.loc(), what + " is " + n.describe(), expected);
    }

    /** Any scalar's text (YAML may have read a name such as {@code on} or {@code 11} as a boolean or number). */
    public static String string(Node n, String what) {
        if (n instanceof Node.ScalarNode s && s.kind() != Node.ScalarKind.NULL) {
            String t = s.text();
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (c != '\t' && c != '\n' && Errors.unsafe(c)) {
                    // Reports and traces print these texts: a control character would reach the terminal.
                    // Tabs and line breaks are text (multi-line descriptions, file contents); names refuse them.
                    throw new ScenarioError(n.loc(), what + " contains the control character "
                            + String.format("U+%04X", (int) c), "printable text (no control characters, line"
                            + " separators or bidirectional overrides)");
                }
            }
            return t;
        }
        throw wrongType(n, what, "a text value");
    }

    /** A name as kctx uses them: letters, digits and {@code _ . + : -}, at most {@code max} characters. */
    public static String name(Node n, String what, int max) {
        String s = string(n, what);
        if (!NAME.matcher(s).matches() || s.length() > max) {
            throw new ScenarioError(n.loc(), what + " '" + Errors.clip(s) + "' is not a valid name",
                    "1 to " + max + " characters: letters, digits, _ . + : - (not starting with . + : -)");
        }
        return s;
    }

    public static long integer(Node n, String what, long min, long max) {
        boolean digits = n instanceof Node.ScalarNode d && d.kind() == Node.ScalarKind.STRING
                && d.text().length() > 19 && d.text().matches("[-+]?[0-9][0-9_]*");
        if (digits) {
            // YAML hands over integers beyond its number-length limit as strings.
            throw new ScenarioError(n.loc(), what + " is " + Errors.clip(((Node.ScalarNode) n).text()) + ", out of range",
                    "an integer from " + min + " to " + max);
        }
        if (!(n instanceof Node.ScalarNode s) || s.kind() != Node.ScalarKind.INT) {
            throw wrongType(n, what, "an integer from " + min + " to " + max);
        }
        BigInteger v;
        try {
            String t = s.text().replace("_", "");
            v = t.length() > 40 ? null : parseYamlInt(t);
        } catch (NumberFormatException e) {
            v = null;
        }
        if (v == null || v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new ScenarioError(n.loc(), what + " is " + Errors.clip(s.text()) + ", out of range",
                    "an integer from " + min + " to " + max);
        }
        return v.longValueExact();
    }

    private static BigInteger parseYamlInt(String t) {
        boolean neg = t.startsWith("-");
        String u = t.startsWith("-") || t.startsWith("+") ? t.substring(1) : t;
        BigInteger v;
        if (u.startsWith("0x") || u.startsWith("0X")) {
            v = new BigInteger(u.substring(2), 16);
        } else if (u.startsWith("0o")) {
            v = new BigInteger(u.substring(2), 8);
        } else {
            v = new BigInteger(u);
        }
        return neg ? v.negate() : v;
    }

    /** A number from {@code min} to {@code max} (rates may be fractional). */
    public static double number(Node n, String what, double min, double max) {
        String expected = "a number from " + fmt(min) + " to " + fmt(max);
        if (!(n instanceof Node.ScalarNode s) || (s.kind() != Node.ScalarKind.INT && s.kind() != Node.ScalarKind.FLOAT)) {
            throw wrongType(n, what, expected);
        }
        double v;
        try {
            v = Double.parseDouble(s.text().replace("_", ""));
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!(v >= min && v <= max)) {
            throw new ScenarioError(n.loc(), what + " is " + Errors.clip(s.text()) + ", out of range", expected);
        }
        return v;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /** A virtual duration such as {@code 5us}, {@code 2ms}, {@code 1.5s}; never negative. */
    public static long duration(Node n, String what) {
        if (!(n instanceof Node.ScalarNode s) || s.kind() == Node.ScalarKind.NULL || s.kind() == Node.ScalarKind.BOOL) {
            throw wrongType(n, what, "a duration with a unit, e.g. 5us, 2ms (units ns, us, ms, s)");
        }
        if (s.kind() == Node.ScalarKind.INT || s.kind() == Node.ScalarKind.FLOAT) {
            throw new ScenarioError(n.loc(), what + " " + Errors.clip(s.text()) + " has no unit",
                    "a duration with a unit, e.g. " + Errors.clip(s.text()) + "us (units ns, us, ms, s)");
        }
        try {
            return Durations.parse(s.text());
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            if (msg.contains("too large")) {
                throw new ScenarioError(n.loc(), what + " '" + Errors.clip(s.text()) + "' is too large",
                        "a duration of at most " + MAX_DURATION + " (" + Durations.MAX_NS + "ns)");
            }
            String problem = msg.contains("negative") ? what + " '" + Errors.clip(s.text()) + "' is negative"
                    : what + " '" + Errors.clip(s.text()) + "' is not a duration";
            throw new ScenarioError(n.loc(), problem,
                    "a non-negative duration with a unit, e.g. 5us, 2ms, 1.5s (units ns, us, ms, s)");
        }
    }

    /** The longest duration a scenario may give, in whole seconds (about 73 years). */
    static final String MAX_DURATION = Durations.MAX_NS / 1_000_000_000L + "s";

    public static long positiveDuration(Node n, String what) {
        long v = duration(n, what);
        if (v <= 0) {
            throw new ScenarioError(n.loc(), what + " is zero", "a positive duration, e.g. 1ms");
        }
        return v;
    }

    public static boolean bool(Node n, String what) {
        if (n instanceof Node.ScalarNode s && s.kind() == Node.ScalarKind.BOOL) {
            String t = s.text().toLowerCase(java.util.Locale.ROOT);
            return t.equals("true") || t.equals("yes") || t.equals("on") || t.equals("y");
        }
        throw wrongType(n, what, "true or false");
    }

    /** One of the {@code choices} (by their key), with "did you mean" on a typo. */
    public static <T> T choice(Node n, String what, Map<String, T> choices) {
        String s = string(n, what);
        T v = choices.get(s);
        if (v == null) {
            throw new ScenarioError(n.loc(), Errors.unknown(what, s, choices.keySet()), Errors.oneOf(choices.keySet()));
        }
        return v;
    }

    static String list(Collection<String> c) {
        return String.join(", ", c);
    }
}
