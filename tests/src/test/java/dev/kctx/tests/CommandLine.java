package dev.kctx.tests;

import dev.kctx.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in this JVM through {@link Main#run}, capturing what it prints. */
public final class CommandLine {
    private CommandLine() {
    }

    /** What one invocation printed and returned, or the throwable that escaped it (exit code -1 then). */
    public record Result(int code, String out, String err, Throwable escaped) {
    }

    public static synchronized Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            int code;
            Throwable escaped = null;
            try {
                code = Main.run(args);
            } catch (Throwable t) {
                code = -1;
                escaped = t;
            }
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), escaped);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
