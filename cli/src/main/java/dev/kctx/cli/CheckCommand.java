package dev.kctx.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code kctx check FILE...}: runs scenarios and prints only verdicts, like a linter. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Run scenario files and print one line per distinct report"
                + " ('file: kind: title (cpu N, TIME, context, op)') and per unmet expectation ('file: expect: ...').",
                "Exit code: 0 all clean (or every expectation met), 1 reports, unmet expectations or a failed run,"
                        + " 2 bad input in any file (the other files are still checked)."})
final class CheckCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Scenario files (YAML); '-' reads one from standard input.")
    List<String> files;

    @Option(names = "--seed", paramLabel = "N", description = "Override every scenario's seed.")
    Long seed;

    @Option(names = "--until", paramLabel = "TIME", description = "Override how long each scenario runs, e.g. 10ms.")
    String until;

    @Option(names = "--progress", negatable = true, description = "Show a progress bar on stderr (virtual time"
            + " simulated) when a run takes more than about 2 s: in place on a terminal, else a line every 10 s"
            + " (default: on; --no-progress for none).")
    Boolean progress;

    @CommandLine.Mixin
    BudgetOptions budget;

    @CommandLine.Mixin
    EngineOptions engine;

    @Option(names = {"-q", "--quiet"}, description = "Do not print the 'file: ok' line of passing scenarios.")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Long untilNs = ScenarioRuns.parseUntil(until);
        dev.kctx.actors.Simulation.Budget b = budget.budget();
        boolean showProgress = ProgressBar.wanted(progress);
        com.typesafe.config.Config config = engine.config(null);
        int code = 0;
        for (String file : files) {
            ScenarioRuns.Outcome o = ScenarioRuns.run(file, seed, untilNs, false, showProgress ? stderr : null, b, config);
            if (!o.ok()) {
                ScenarioRuns.print(o.errorCode() == 2 ? stderr : stdout, o.error());
                code = Math.max(code, o.errorCode());
                continue;
            }
            for (String line : o.report().verdicts()) {
                stdout.println(line);
            }
            if (o.report().passed() && !quiet) {
                int checks = o.report().outcomes().size();
                stdout.println(file + ": ok" + (o.scenario().expect().isPresent()
                        ? " (" + checks + " expectation" + (checks == 1 ? "" : "s") + " met)" : ""));
            }
            stdout.flush();
            code = Math.max(code, o.report().exitCode());
        }
        return code;
    }
}
