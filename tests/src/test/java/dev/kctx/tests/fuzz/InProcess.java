package dev.kctx.tests.fuzz;

import dev.kctx.tests.CommandLine;

import java.util.regex.Pattern;

/** Judges the command line's answer to a hostile scenario, as run in this JVM ({@link CommandLine}). */
final class InProcess {
    private InProcess() {
    }

    /** The first character that would act on a terminal (other than newline and tab), as U+XXXX, or null. */
    static String unsafe(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int t = Character.getType(c);
            boolean bad = (Character.isISOControl(c) && c != '\n' && c != '\t') || t == Character.LINE_SEPARATOR
                    || t == Character.PARAGRAPH_SEPARATOR || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
            if (bad) {
                return String.format("U+%04X", (int) c);
            }
        }
        return null;
    }

    private static final Pattern STACK = Pattern.compile("(?m)^\\s+at [\\w$.]+\\(|Exception in thread|^Caused by: ");

    /**
     * Why {@code r} is not an acceptable answer for scenario {@code file}, or null when it is: exit
     * code 0 or 1 with a report, or 2 with exactly one line {@code FILE:LINE:COL: problem; expected ...};
     * never a stack trace, never another exit code, never an escaping throwable, never a control
     * character from the input on the terminal.
     */
    static String verdict(String file, CommandLine.Result r) {
        if (r.escaped() != null) {
            return "a " + r.escaped() + " escaped the command line";
        }
        if (STACK.matcher(r.out()).find() || STACK.matcher(r.err()).find()) {
            return "a stack trace was printed:\n" + r.err() + r.out();
        }
        String unsafe = unsafe(r.out() + r.err());
        if (unsafe != null) {
            return "a control character reached the terminal (" + unsafe + "):\n" + r.err() + r.out();
        }
        String err = r.err().strip();
        switch (r.code()) {
            case 0, 1 -> {
                if (r.out().isBlank()) {
                    return "exit code " + r.code() + " without a report";
                }
                if (!err.isEmpty() && (err.contains("\n") || !err.startsWith(file + ": "))) {
                    return "exit code " + r.code() + " with more than one located line on stderr:\n" + r.err();
                }
                return null;
            }
            case 2 -> {
                if (err.contains("\n")) {
                    return "exit code 2 with more than one line on stderr:\n" + r.err();
                }
                if (!Pattern.compile("\\Q" + file + "\\E:\\d+:\\d+: \\S.*; expected \\S.*").matcher(err).matches()) {
                    return "exit code 2 without a located 'FILE:LINE:COL: ...; expected ...' line: " + err;
                }
                return null;
            }
            default -> {
                return "exit code " + r.code() + " (only 0, 1 and 2 are allowed)\n" + r.err();
            }
        }
    }
}
