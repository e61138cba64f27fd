package dev.kctx.cli.scenario;

import java.util.Collection;
import java.util.Locale;

/** Helpers for the wording of scenario errors: choices, "did you mean", clipped values. */
final class Errors {
    private Errors() {
    }

    /** {@code one of a, b, c}. */
    static String oneOf(Collection<String> choices) {
        return choices.size() == 1 ? choices.iterator().next() : "one of " + String.join(", ", choices);
    }

    /** {@code unknown X 'y' (did you mean 'z'?)} when a choice is close enough. */
    static String unknown(String what, String given, Collection<String> choices) {
        return unknown(what, given, "", choices);
    }

    /** As {@link #unknown(String, String, Collection)} with a place, e.g. {@code " in machine"}. */
    static String unknown(String what, String given, String in, Collection<String> choices) {
        String s = "unknown " + what + " '" + clip(given) + "'" + in;
        String near = nearest(given, choices);
        return near == null ? s : s + " (did you mean '" + near + "'?)";
    }

    /** The choice within a small edit distance of {@code given}, or null. */
    static String nearest(String given, Collection<String> choices) {
        String g = given.toLowerCase(Locale.ROOT);
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : choices) {
            int d = distance(g, c.toLowerCase(Locale.ROOT));
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        // Short names are too close to everything to guess: only a case slip counts for them.
        int allowed = given.length() < 3 ? 0 : Math.max(1, Math.min(3, given.length() / 3));
        return best != null && bestD <= allowed ? best : null;
    }

    /** Keeps values in messages short and on one line. */
    static String clip(String s) {
        return clip(s, 40);
    }

    static String clip(String s, int max) {
        String t = printable(s);
        return t.length() > max ? t.substring(0, max - 3) + "..." : t;
    }

    /**
     * {@code s} safe to print on one terminal line: line breaks and tabs become spaces, and every
     * other character that could move the cursor, change the terminal or reorder the text (C0 and C1
     * controls such as ESC, Unicode line separators, bidirectional overrides) is written as \\uXXXX.
     */
    static String printable(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String with = c == '\n' || c == '\r' || c == '\t' ? " " : unsafe(c) ? String.format("\\u%04X", (int) c) : null;
            if (with != null && sb == null) {
                sb = new StringBuilder(s.substring(0, i));
            }
            if (sb != null) {
                sb.append(with != null ? with : String.valueOf(c));
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** A control, line or paragraph separator, or bidirectional formatting character. */
    static boolean unsafe(char c) {
        int t = Character.getType(c);
        return Character.isISOControl(c) || t == Character.LINE_SEPARATOR || t == Character.PARAGRAPH_SEPARATOR
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u200E'
                || c == '\u200F' || c == '\u061C';
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 3 || a.length() > 64 || b.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
