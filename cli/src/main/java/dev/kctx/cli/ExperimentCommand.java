package dev.kctx.cli;

import dev.kctx.cli.experiment.Experiment;
import dev.kctx.cli.experiment.Sweep;
import dev.kctx.cli.experiment.SweepUnits;
import dev.kctx.cli.output.OutputDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code kctx experiment NAME}: a parameter sweep written as results.csv, results.md, latency.png and latency.svg. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Run a built-in experiment and write results.csv, results.md, latency.png and latency.svg."
                + " '--list' shows the experiments.")
final class ExperimentCommand implements Callable<Integer> {

    CommandLine.Model.CommandSpec spec;

    /** picocli hands over the command's model: the help ends with the experiments and what each one asks. */
    @CommandLine.Spec
    void spec(CommandLine.Model.CommandSpec s) {
        spec = s;
        CommandLine.Help.TextTable table = CommandLine.Help.TextTable.forColumns(
                CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF),
                new CommandLine.Help.Column(20, 2, CommandLine.Help.Column.Overflow.SPAN),
                new CommandLine.Help.Column(60, 1, CommandLine.Help.Column.Overflow.WRAP));
        for (Experiment e : Experiment.all()) {
            table.addRowValues(e.name(), e.description() + "." + (e.details().isEmpty() ? "" : " " + e.details()));
        }
        s.usageMessage().footerHeading("%nExperiments:%n").footer(table.toString().replace("%", "%%"));
    }

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The experiment to run.")
    String name;

    @Option(names = "--list", description = "List the experiments.")
    boolean list;

    @Option(names = "--seeds", paramLabel = "N", description = "Seeds 1..N per point (default: the experiment's own).")
    Integer seeds;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the files go (default: experiment-NAME; created"
            + " if needed, checked and locked before the sweep).")
    String out;

    @Option(names = "--quick", description = "A smaller grid and shorter runs, for a first look (experiments without"
            + " one run in full).")
    boolean quick;

    @Option(names = "--jobs", paramLabel = "N", description = "Machines run side by side (default: the number of CPUs;"
            + " the results do not depend on it).")
    Integer jobs;

    @Option(names = "--threads", description = "Dispatcher threads of each machine's actor system (the results do not depend on it).")
    Integer threads;

    @Option(names = "--progress", negatable = true, description = "Show a progress bar on stderr (runs finished) when"
            + " the sweep takes more than about 2 s: in place on a terminal, else a line every 10 s (default: on).")
    Boolean progress;

    @CommandLine.Mixin
    ClusterOptions cluster;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        if (list || name == null) {
            Experiment.all().forEach(e -> stdout.printf("%-18s %s%n", e.name(), e.description()));
            stdout.flush();
            return name == null && !list ? 2 : 0;
        }
        Experiment named = Experiment.all().stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> new KctxCommand.UsageError("unknown experiment '" + name + "'; expected one of "
                        + Experiment.all().stream().map(Experiment::name).toList()));
        Experiment e = quick ? named.quick() : named;
        int n = seeds == null ? e.defaultSeeds() : seeds;
        if (n < 1 || n > 1000) {
            throw new KctxCommand.UsageError("--seeds must be between 1 and 1000, not " + n);
        }
        int parallel = jobs == null ? Runtime.getRuntime().availableProcessors() : jobs;
        if (parallel < 1 || parallel > 64) {
            throw new KctxCommand.UsageError("--jobs must be between 1 and 64, not " + parallel);
        }
        PrintWriter stderr = spec.commandLine().getErr();
        ClusterOptions.Coordinator onCluster = cluster.coordinator(jobs, threads);
        try (OutputDir dir = outputDir(out == null ? "experiment-" + name : out)) {
            Experiment.Result result;
            ProgressBar bar = ProgressBar.wanted(progress)
                    ? ProgressBar.startCounting(stderr, name, e.runs(n), "runs") : null;
            try {
                result = onCluster == null
                        ? e.run(new Sweep(n, parallel, Dispatchers.config(threads == null ? 2 : threads), bar))
                        : onCluster.run(stderr, coordination -> e.run(new Sweep(n,
                                SweepUnits.remote(coordination, e.name(), quick, ClusterOptions.events(stderr)), bar)));
            } finally {
                if (bar != null) {
                    bar.close();
                }
            }
            try {
                dir.write("results.csv", result.table().csv());
                dir.write("results.md", markdown(e, n, quick, result));
                dir.write("latency.png", result.figure().png());
                dir.write("latency.svg", result.figure().svg());
            } catch (IOException | RuntimeException x) {
                stderr.println("kctx: cannot write to " + dir.dir() + ": " + OutputDir.reason(x));
                stderr.flush();
                return 1;
            }
            stdout.print(markdown(e, n, quick, result));
            stdout.println();
            stdout.println("wrote results.csv, results.md, latency.png, latency.svg to " + dir.dir());
            stdout.flush();
            return 0;
        }
    }

    /** --out, checked and locked before the sweep: a bad one is bad input (exit 2). */
    private static OutputDir outputDir(String name) {
        try {
            return OutputDir.open(name);
        } catch (OutputDir.Refused x) {
            throw new KctxCommand.UsageError("--out " + x.getMessage());
        }
    }

    /** results.md: what ran, the table, and what the data show. */
    static String markdown(Experiment e, int seeds, boolean quick, Experiment.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(e.name()).append(quick ? " (--quick)" : "").append("\n\n").append(e.description()).append(".\n\n")
                .append("Seeds 1..").append(seeds).append("; each value is the median over seeds unless the column says")
                .append(" otherwise, bands are min..max over seeds. Latencies in microseconds of virtual time.\n\n")
                .append(r.table().markdown()).append("\n## What the data show\n\n");
        r.findings().forEach(f -> sb.append("- ").append(f).append('\n'));
        return sb.toString();
    }
}
