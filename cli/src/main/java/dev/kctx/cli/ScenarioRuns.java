package dev.kctx.cli;

import com.typesafe.config.Config;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.cli.output.RunReport;
import dev.kctx.cli.scenario.Scenario;
import dev.kctx.cli.scenario.ScenarioError;
import dev.kctx.cli.scenario.ScenarioLoader;
import dev.kctx.contexts.Durations;

import java.io.PrintWriter;

/** What {@code kctx run} and {@code kctx check} share: load a file, apply overrides, run it. */
final class ScenarioRuns {
    private ScenarioRuns() {
    }

    /** A loaded and run scenario, or the one-line reason it could not be (exit code 2 or 1). */
    record Outcome(Scenario scenario, RunReport report, String error, int errorCode) {
        boolean ok() {
            return error == null;
        }
    }

    static Long parseUntil(String until) {
        if (until == null) {
            return null;
        }
        return parseDuration("--until", until, "10ms");
    }

    /** A positive duration given to {@code option}; bad input is a usage error that names the option. */
    static long parseDuration(String option, String text, String example) {
        long v;
        try {
            v = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new KctxCommand.UsageError(option + ": " + e.getMessage());
        }
        if (v <= 0) {
            throw new KctxCommand.UsageError(option + " must be positive, e.g. " + example);
        }
        return v;
    }

    /** Loads and runs {@code file}; with {@code progress} not null, a {@link ProgressBar} for long runs goes there. */
    static Outcome run(String file, Long seed, Long until, boolean trace, PrintWriter progress, Simulation.Budget budget,
                       Config config) {
        Outcome loaded = load(file, seed, until);
        return loaded.ok() ? execute(file, loaded.scenario(), trace, progress, budget, config) : loaded;
    }

    /** Loads {@code file} ({@code -}: standard input) with the overrides; the outcome has no report yet. */
    static Outcome load(String file, Long seed, Long until) {
        try {
            return new Outcome(ScenarioLoader.load(file, System.in).with(seed, until), null, null, 0);
        } catch (ScenarioError e) {
            return new Outcome(null, null, e.format(file), 2);
        } catch (java.nio.file.InvalidPathException e) {
            return new Outcome(null, null, file + ":1:1: not a valid path; expected the path of a scenario file", 2);
        } catch (RuntimeException e) {
            // A check the loader missed and the engine caught: still one line, never a stack trace.
            return new Outcome(null, null, file + ":1:1: cannot load the scenario: " + e.getMessage()
                    + "; expected a scenario the engine accepts", 2);
        }
    }

    /** Runs a loaded scenario within {@code budget}, on the actor system {@code config} configures. */
    static Outcome execute(String file, Scenario s, boolean trace, PrintWriter progress, Simulation.Budget budget,
                           Config config) {
        RunResult r;
        try (ProgressBar bar = progress == null ? null : ProgressBar.start(progress, file, s.untilNs())) {
            r = Simulation.run(s.spec(), s.untilNs(), trace, config, bar, budget);
        } catch (RuntimeException e) {
            return new Outcome(s, null, file + ": run failed: " + e.getMessage(), 1);
        }
        try {
            return new Outcome(s, new RunReport(file, s, r), null, 0);
        } catch (RuntimeException e) {
            return new Outcome(s, null, file + ": run failed: " + e.getMessage(), 1);
        }
    }

    static void print(PrintWriter w, String line) {
        w.println(dev.kctx.cli.scenario.ScenarioError.printable(line));
        w.flush();
    }
}
