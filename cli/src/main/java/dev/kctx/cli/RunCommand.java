package dev.kctx.cli;

import dev.kctx.actors.Simulation;
import dev.kctx.cli.output.ChromeTrace;
import dev.kctx.cli.output.ReportHtml;
import dev.kctx.cli.output.OutputDir;
import dev.kctx.cli.output.RunReport;
import dev.kctx.cli.output.SvgTimeline;
import dev.kctx.cli.output.Timeline;
import dev.kctx.cli.output.TraceDat;
import dev.kctx.contexts.TimeFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code kctx run FILE}: runs one scenario, prints its report, optionally writes every output. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a scenario file and print its report: the reports found (deduplicated, as the kernel"
                + " prints them), expectations, per-CPU time per context level, latencies and"
                + " the socket mechanisms' counters.",
                "With --out, also write report.html (the whole run on one page), report.json, report.txt,"
                        + " trace.txt (ftrace), trace.dat (trace-cmd report, KernelShark), trace.json (open it in"
                        + " https://ui.perfetto.dev) and timeline.svg.",
                "Exit code: 0 no report (or every expectation met), 1 reports, unmet expectations or a failed run,"
                        + " 2 bad input.",
                "FILE '-' reads the scenario from standard input. A run that exhausts its budget (--max-events,"
                        + " --max-wall) stops cleanly with its partial report and exit code 1."})
final class RunCommand implements Callable<Integer> {

    enum Format { text, json }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The scenario (YAML), see docs/scenario.md.")
    String file;

    @Option(names = "--seed", paramLabel = "N", description = "Override the scenario's seed.")
    Long seed;

    @Option(names = "--until", paramLabel = "TIME", description = "Override how long to run, e.g. 10ms.")
    String until;

    @Option(names = "--out", paramLabel = "DIR", description = "Write report.html, report.json, report.txt, trace.txt,"
            + " trace.dat, trace.json and timeline.svg into DIR (created if needed; checked and locked before the run).")
    String out;

    @Option(names = "--progress", negatable = true, description = "Show a progress bar on stderr (virtual time"
            + " simulated) when a run takes more than about 2 s: in place on a terminal, else a line every 10 s"
            + " (default: on; --no-progress for none).")
    Boolean progress;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "Report on stdout as text or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @CommandLine.Mixin
    BudgetOptions budget;

    @CommandLine.Mixin
    EngineOptions engine;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Simulation.Budget b = budget.budget();
        ScenarioRuns.Outcome loaded = ScenarioRuns.load(file, seed, ScenarioRuns.parseUntil(until));
        if (!loaded.ok()) {
            ScenarioRuns.print(stderr, loaded.error());
            return loaded.errorCode();
        }
        try (OutputDir dir = out == null ? null : outputDir()) {
            ScenarioRuns.Outcome o = ScenarioRuns.execute(file, loaded.scenario(), true,
                    ProgressBar.wanted(progress) ? stderr : null, b, engine.config(null));
            if (!o.ok()) {
                ScenarioRuns.print(stderr, o.error());
                return o.errorCode();
            }
            RunReport report = o.report();
            if (report.result().budget().isPresent()) {
                ScenarioRuns.print(stderr, file + ": stopped: " + report.budgetLine());
            }
            String json = report.json();
            String text = report.text();
            if (dir != null) {
                try {
                    write(dir, report, json, text, o);
                } catch (IOException | RuntimeException e) {
                    ScenarioRuns.print(stderr, "kctx: cannot write to " + out + ": " + OutputDir.reason(e));
                    return 1;
                }
            }
            stdout.print(format == Format.json ? json : text);
            if (dir != null && format == Format.text) {
                stdout.println();
                stdout.println("wrote " + dir.dir().resolve("report.html") + " (open in a browser), report.txt, report.json,"
                        + " trace.txt, trace.dat (trace-cmd report, KernelShark), trace.json (open in https://ui.perfetto.dev),"
                        + " timeline.svg");
            }
            stdout.flush();
            return report.exitCode();
        }
    }

    /** --out, checked and locked before the run: a bad one is bad input (exit 2). */
    private OutputDir outputDir() {
        try {
            return OutputDir.open(out);
        } catch (OutputDir.Refused e) {
            throw new KctxCommand.UsageError("--out " + e.getMessage());
        }
    }

    private static void write(OutputDir dir, RunReport report, String json, String text, ScenarioRuns.Outcome o)
            throws IOException {
        Timeline t = Timeline.of(report.result(), o.scenario().processes(), o.scenario().syscalls());
        String title = o.scenario().name() + ", seed " + report.result().seed() + ", "
                + TimeFormat.format(report.result().endNs()) + " of virtual time";
        dir.write("report.json", json);
        dir.write("report.txt", text);
        dir.write("trace.txt", report.traceText());
        dir.write("trace.json", ChromeTrace.render(t, o.scenario().name(), report.result().seed()));
        String svg = SvgTimeline.render(t, title);
        dir.write("timeline.svg", svg);
        dir.write("trace.dat", TraceDat.render(report.result().trace(), report.result().cpus()));
        dir.write("report.html", ReportHtml.render(report, title, svg));
    }
}
