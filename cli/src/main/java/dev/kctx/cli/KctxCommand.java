package dev.kctx.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The top-level {@code kctx} command. */
@Command(name = "kctx", mixinStandardHelpOptions = true, versionProvider = KctxCommand.Version.class,
        description = "Linux execution contexts and kernel<->user mechanisms, simulated as actors in virtual time.",
        subcommands = {DemoCommand.class, RunCommand.class, CheckCommand.class, ExperimentCommand.class, ExploreCommand.class,
                WorkerCommand.class,
                BenchCommand.class, CompletionCommand.class, ManCommand.class, CommandLine.HelpCommand.class})
public final class KctxCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, description = "Log at debug level (logs go to stderr).",
            scope = CommandLine.ScopeType.INHERIT)
    void verbose(boolean v) {
        if (v) {
            ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.DEBUG);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new KctxCommand());
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("kctx: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return 2;
        });
        cl.setExecutionStrategy(KctxCommand::refuseUnmatchedThenRun);
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            if (ex instanceof UsageError u) {
                c.getErr().println("kctx: " + u.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    /**
     * picocli leaves unmatched arguments alone when help is asked for ({@code kctx NOSUCH --help}
     * would print the top-level help and exit 0): refuse them first, then run as usual.
     */
    private static int refuseUnmatchedThenRun(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (!p.unmatched().isEmpty()) {
                CommandLine c = p.commandSpec().commandLine();
                String first = p.unmatched().get(0);
                if (p == parsed && !first.startsWith("-")) {
                    throw new CommandLine.ParameterException(c, "unknown command '" + first + "'; expected one of "
                            + String.join(", ", c.getSubcommands().keySet()));
                }
                throw new CommandLine.UnmatchedArgumentException(c, p.unmatched());
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    /** Bad input found after parsing: printed as one line, exit code 2. */
    static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    /** The version from the jar's manifest, or the development version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = KctxCommand.class.getPackage().getImplementationVersion();
            return new String[] {"kctx " + (v == null ? "0.1.0-SNAPSHOT" : v) + " (Akka 2.8.5, Java " + Runtime.version() + ")"};
        }
    }
}
