package dev.kctx.cli;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.cli.demo.PreemptionDemo;
import dev.kctx.mechanisms.demo.SeedDemos;
import dev.kctx.mechanisms.demo.TranscriptDemo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code kctx demo NAME}: built-in scenarios that replay the seed's examples. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a built-in demo and print its trace and summary. '--list' shows the demos.")
final class DemoCommand implements Callable<Integer> {

    /** The demos by name with a one-line description. */
    static final Map<String, String> DEMOS = new LinkedHashMap<>();

    static {
        DEMOS.put("preemption", "user processes, a periodic NIC IRQ raising NET_RX, a kthread woken by the soft IRQ");
        for (TranscriptDemo d : SeedDemos.all()) {
            DEMOS.put(d.name(), d.description());
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The demo to run.")
    String name;

    @Option(names = "--list", description = "List the demos.")
    boolean list;

    @Option(names = "--seed", description = "Seed of the run (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    long seed;

    @Option(names = "--cpus", description = "Number of CPUs (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int cpus;

    @Option(names = "--until", description = "Virtual time to simulate, e.g. 12ms (default: ${DEFAULT-VALUE}).",
            defaultValue = "12ms")
    String until;

    @Option(names = "--no-trace", description = "Print only the summary.")
    boolean noTrace;

    @Option(names = "--threads", description = "Dispatcher threads of the actor system (the output does not depend on it).")
    Integer threads;

    @Option(names = "--progress", negatable = true, description = "Show a progress bar on stderr when the run takes"
            + " more than about 2 s (default: on; --no-progress for none).")
    Boolean progress;

    @CommandLine.Mixin
    BudgetOptions budget;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (list || name == null) {
            DEMOS.forEach((n, d) -> out.printf("%-12s %s%n", n, d));
            out.flush();
            return name == null && !list ? 2 : 0;
        }
        if (!DEMOS.containsKey(name)) {
            throw new KctxCommand.UsageError("unknown demo '" + name + "'; expected one of " + DEMOS.keySet());
        }
        if (cpus < 1 || cpus > 64) {
            throw new KctxCommand.UsageError("--cpus must be between 1 and 64, not " + cpus);
        }
        long untilNs = ScenarioRuns.parseDuration("--until", until, "12ms");
        Simulation.Budget b = budget.budget();
        TranscriptDemo transcript = SeedDemos.all().stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
        if (transcript != null) {
            // A shell session runs until its last command; --until only cuts it short when given.
            boolean untilGiven = spec.commandLine().getParseResult().hasMatchedOption("--until");
            RunResult r = run(transcript.spec(seed), untilGiven ? untilNs : TranscriptDemo.UNTIL_NS, b);
            out.print(TranscriptDemo.transcript(r));
            return ended(r, out);
        }
        MachineSpec m = PreemptionDemo.spec(seed, cpus);
        RunResult r = run(m, untilNs, b);
        if (!noTrace) {
            out.print(r.traceText());
        }
        out.print(PreemptionDemo.summary(r));
        return ended(r, out);
    }

    private RunResult run(MachineSpec m, long untilNs, Simulation.Budget b) {
        PrintWriter err = spec.commandLine().getErr();
        try (ProgressBar bar = ProgressBar.wanted(progress) ? ProgressBar.start(err, "demo " + name, untilNs) : null) {
            return Simulation.run(m, untilNs, true, Dispatchers.config(threads), bar, b);
        }
    }

    /** The exit code: 1 when the run failed or its budget stopped it (said on stderr), else 0. */
    private int ended(RunResult r, PrintWriter out) {
        r.failure().ifPresent(f -> out.println("run failed: " + f));
        out.flush();
        if (r.budget().isPresent()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("kctx: demo " + name + " stopped: " + dev.kctx.cli.output.RunReport.budgetLine(r));
            err.flush();
            return 1;
        }
        return r.failure().isPresent() ? 1 : 0;
    }
}
