package dev.kctx.cli;

import picocli.CommandLine;

/** Entry point of the {@code kctx} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 clean, 1 reports or failed expectations, 2 bad input). */
    public static int run(String... args) {
        CommandLine cl = KctxCommand.commandLine();
        return cl.execute(args);
    }
}
