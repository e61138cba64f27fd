package dev.kctx.cli;

import dev.kctx.cli.output.ChromeTrace;
import dev.kctx.cli.output.ReportHtml;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
                        + " 2 bad input."})
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
            + " trace.dat, trace.json and timeline.svg into DIR (created if needed).")
    Path out;

    @Option(names = "--progress", negatable = true, description = "Show a progress bar on stderr (virtual time"
            + " simulated) when a run takes more than about 2 s; by default only when the terminal is interactive.")
    Boolean progress;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "Report on stdout as text or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        ScenarioRuns.Outcome o = ScenarioRuns.run(file, seed, ScenarioRuns.parseUntil(until), true,
                ProgressBar.wanted(progress) ? stderr : null);
        if (!o.ok()) {
            ScenarioRuns.print(stderr, o.error());
            return o.errorCode();
        }
        RunReport report = o.report();
        String json = report.json();
        String text = report.text();
        if (out != null) {
            try {
                write(report, json, text, o);
            } catch (IOException | RuntimeException e) {
                ScenarioRuns.print(stderr, "kctx: cannot write to " + out + ": " + e.getMessage());
                return 2;
            }
        }
        stdout.print(format == Format.json ? json : text);
        if (out != null && format == Format.text) {
            stdout.println();
            stdout.println("wrote " + out.resolve("report.html") + " (open in a browser), report.txt, report.json, trace.txt,"
                    + " trace.dat (trace-cmd report, KernelShark), trace.json (open in https://ui.perfetto.dev), timeline.svg");
        }
        stdout.flush();
        return report.exitCode();
    }

    private void write(RunReport report, String json, String text, ScenarioRuns.Outcome o) throws IOException {
        Files.createDirectories(out);
        Timeline t = Timeline.of(report.result(), o.scenario().processes(), o.scenario().syscalls());
        String title = o.scenario().name() + ", seed " + report.result().seed() + ", "
                + TimeFormat.format(report.result().endNs()) + " of virtual time";
        Files.writeString(out.resolve("report.json"), json, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("report.txt"), text, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("trace.txt"), report.traceText(), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("trace.json"), ChromeTrace.render(t, o.scenario().name(), report.result().seed()),
                StandardCharsets.UTF_8);
        String svg = SvgTimeline.render(t, title);
        Files.writeString(out.resolve("timeline.svg"), svg, StandardCharsets.UTF_8);
        Files.write(out.resolve("trace.dat"), TraceDat.render(report.result().trace(), report.result().cpus()));
        Files.writeString(out.resolve("report.html"), ReportHtml.render(report, title, svg), StandardCharsets.UTF_8);
    }
}
