package dev.kctx.cli.scenario;

/**
 * Bad input in a scenario file: one line, located, saying what is wrong and what was expected.
 * The command prints {@link #format(String)} and exits with 2.
 */
public final class ScenarioError extends RuntimeException {
    private final Node.Loc loc;
    private final String problem;
    private final String expected;

    public ScenarioError(Node.Loc loc, String problem, String expected) {
        super(problem + (expected == null ? "" : "; expected " + expected));
        this.loc = loc;
        this.problem = problem;
        this.expected = expected;
    }

    public Node.Loc loc() {
        return loc;
    }

    public String problem() {
        return problem;
    }

    /** What would have been valid, or null. */
    public String expected() {
        return expected;
    }

    /** {@code FILE:LINE:COL: what is wrong; expected ...}, on one line, without control characters. */
    public String format(String file) {
        return printable(file + ":" + loc.line() + ":" + loc.col() + ": " + getMessage());
    }

    /**
     * {@code line} safe to print as one terminal line: breaks become spaces, and control characters
     * from the input (ESC sequences, separators, bidirectional overrides) are shown as \\uXXXX.
     */
    public static String printable(String line) {
        return Errors.printable(line);
    }
}
