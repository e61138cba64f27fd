package dev.kctx.cli;

import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.Simulation;
import dev.kctx.cli.explore.Choices;
import dev.kctx.cli.explore.ExploreUnit;
import dev.kctx.cli.explore.Explorer;
import dev.kctx.cli.explore.ExploreUnits;
import dev.kctx.cli.explore.Plan;
import dev.kctx.cli.explore.Replay;
import dev.kctx.cli.output.OutputDir;
import dev.kctx.cli.scenario.Scenario;
import dev.kctx.cli.scenario.ScenarioError;
import dev.kctx.cli.scenario.ScenarioInput;
import dev.kctx.cli.scenario.ScenarioLoader;
import dev.kctx.contexts.Durations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code kctx explore FILE}: a thin driver over {@link Explorer}: reads the scenario, runs the
 * default run, plans, explores, and prints (and with --out writes) what it found.
 */
@Command(name = "explore", mixinStandardHelpOptions = true,
        description = {"Run a scenario under many timings to find a run that raises a report, or breaks an expectation,"
                + " that the default run does not: other seeds, IRQ arrivals moved within a jitter window per line,"
                + " tasks started earlier or later, and, on several CPUs, other turn orders of same-instant work.",
                "Each finding is shrunk to the fewest perturbations that still show it and, with --out, written as a"
                        + " replay scenario (the original with a 'perturb:' section) that 'kctx run' reproduces byte for"
                        + " byte. The summary says what was explored (runs, distinct schedules, coverage) and what was found.",
                "Strategies: random (everything varies at once; timings from a shifted Halton sequence, which covers each"
                        + " window evenly) and pct (only the CPUs' turn order: random priorities with depth-1 priority"
                        + " changes, as PCT). See docs/explore.md.",
                "With --cluster the runs are made by 'kctx worker' JVMs (docs/cluster.md); the findings are the same.",
                "Exit code: 0 nothing found, 1 findings, 2 bad input."})
final class ExploreCommand implements Callable<Integer> {

    static final long DEFAULT_RUNS = 200;
    static final String DEFAULT_JITTER = "100us";
    static final String DEFAULT_START_WINDOW = "100us";

    enum StrategyName { random, pct }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The scenario (YAML), see docs/scenario.md.")
    String file;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "" + DEFAULT_RUNS,
            description = "The budget in runs, the default run included (default: ${DEFAULT-VALUE}; 0: no limit, with --wall).")
    long runs;

    @Option(names = "--wall", paramLabel = "TIME",
            description = "A budget in wall-clock time, e.g. 30s: no run starts after it (with --runs, whichever"
                    + " comes first; the runs done then depend on the machine's speed).")
    String wall;

    @Option(names = "--strategy", paramLabel = "NAME", defaultValue = "random",
            description = "random or pct (default: ${DEFAULT-VALUE}).")
    StrategyName strategy;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "The exploration's seed: the same seed, budget and scenario explore the same runs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--depth", paramLabel = "D", defaultValue = "3",
            description = "pct's bug depth: D-1 priority changes per run (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--jitter", paramLabel = "[LINE=]TIME",
            description = "The jitter window W of every IRQ line, or of one (repeatable): its arrivals move within -W..W"
                    + " (default " + DEFAULT_JITTER + ", at most half the period of a periodic line; 0 keeps them).")
    List<String> jitter = new ArrayList<>();

    @Option(names = "--start-window", paramLabel = "TIME", defaultValue = DEFAULT_START_WINDOW,
            description = "How far a task's start may move, either way (never before 0; default: ${DEFAULT-VALUE}; 0 keeps them).")
    String startWindow;

    @Option(names = "--shrink", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Shrink each finding to the fewest perturbations that still show it (default: on).")
    boolean shrink;

    @Option(names = "--jobs", paramLabel = "N",
            description = "Runs side by side (default: the CPUs, at most 4). The results do not depend on it.")
    Integer jobs;

    @CommandLine.Mixin
    ClusterOptions cluster;

    @Option(names = "--out", paramLabel = "DIR", description = "Write each finding's replay (finding-N.yaml), what"
            + " 'kctx run' prints for it (finding-N.txt) and summary.txt into DIR (created if needed).")
    String out;

    @Option(names = "--progress", negatable = true, description = "Show a progress bar on stderr (runs done) when"
            + " exploring takes more than about 2 s (default: on).")
    Boolean progress;

    /** The scenario file's text, as read. */
    private String text;

    @Override
    public Integer call() {
        PrintWriter stderr = spec.commandLine().getErr();
        if (runs < 0 || runs == 0 && wall == null) {
            throw new KctxCommand.UsageError("--runs must be at least 1 (or 0, no limit, with --wall), not " + runs);
        }
        long budgetRuns = runs == 0 ? Long.MAX_VALUE : runs;
        if (depth < 1) {
            throw new KctxCommand.UsageError("--depth must be at least 1, not " + depth);
        }
        if (jobs != null && jobs < 1) {
            throw new KctxCommand.UsageError("--jobs must be at least 1, not " + jobs);
        }
        ClusterOptions.Coordinator onCluster = cluster.coordinator(jobs, null);
        Duration wallBudget = wall == null ? null : Duration.ofNanos(ScenarioRuns.parseDuration("--wall", wall, "30s"));
        long startNs = nonNegative("--start-window", startWindow);
        Scenario scenario;
        try {
            text = ScenarioInput.STDIN.equals(file) ? ScenarioInput.read(System.in) : ScenarioInput.read(Path.of(file));
            scenario = ScenarioLoader.load(text, defaultName(file));
        } catch (ScenarioError e) {
            ScenarioRuns.print(stderr, e.format(file));
            return 2;
        } catch (java.nio.file.InvalidPathException e) {
            ScenarioRuns.print(stderr, file + ":1:1: not a valid path; expected the path of a scenario file");
            return 2;
        }
        long defaultJitter = Durations.parse(DEFAULT_JITTER);
        Map<String, Long> perLine = new TreeMap<>();
        for (String j : jitter) {
            int eq = j.indexOf('=');
            if (eq < 0) {
                defaultJitter = nonNegative("--jitter", j);
                continue;
            }
            String line = j.substring(0, eq);
            if (scenario.spec().irqs().stream().noneMatch(i -> i.name().equals(line))) {
                List<String> names = scenario.spec().irqs().stream().map(i -> i.name()).toList();
                throw new KctxCommand.UsageError("--jitter: the scenario has no irq '" + line + "'; it has "
                        + (names.isEmpty() ? "none" : String.join(", ", names)));
            }
            perLine.put(line, nonNegative("--jitter", j.substring(eq + 1)));
        }
        Plan.Strategy strat = strategy == StrategyName.pct ? Plan.Strategy.PCT : Plan.Strategy.RANDOM;
        if (strat == Plan.Strategy.PCT && scenario.spec().cpus() < 2) {
            throw new KctxCommand.UsageError("--strategy pct varies the CPUs' turn order: the scenario has 1 CPU");
        }
        long lineJitter = defaultJitter;
        try (OutputDir dir = out == null ? null : outputDir()) {
            if (onCluster == null) {
                try (Explorer.Runner runner = Explorer.local(jobs != null ? jobs
                        : Math.min(4, Runtime.getRuntime().availableProcessors()), ConfigFactory.load())) {
                    return explore(runner, dir, scenario, strat, lineJitter, perLine, startNs, budgetRuns, wallBudget);
                }
            }
            return onCluster.run(stderr, c -> {
                try (Explorer.Runner runner = ExploreUnits.remote(c, ClusterOptions.events(stderr))) {
                    return explore(runner, dir, scenario, strat, lineJitter, perLine, startNs, budgetRuns, wallBudget);
                }
            });
        }
    }

    /** Explores on {@code runner}, prints the summary and, with {@code dir}, writes it and the findings there. */
    private int explore(Explorer.Runner runner, OutputDir dir, Scenario scenario, Plan.Strategy strat, long defaultJitter,
                        Map<String, Long> perLine, long startNs, long budgetRuns, Duration wallBudget) {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        String name = scenario.name();
        ProgressBar bar = null;
        try {
            bar = ProgressBar.wanted(progress) ? ProgressBar.startCounting(stderr, file, budgetRuns, "runs") : null;
            ProgressBar shown = bar;
            AtomicLong done = new AtomicLong();
            Runnable tick = () -> {
                long n = done.incrementAndGet();
                if (shown != null) {
                    shown.accept(n);
                }
            };
            ExploreUnit.Result baseline;
            Explorer.Outcome o;
            Plan.Space space;
            Plan plan;
            try {
                baseline = runner.run(List.of(new ExploreUnit.Task(0, text, name, Choices.NONE)), tick).get(0);
                // pct varies the turn order alone: no timing dimensions
                boolean pct = strat == Plan.Strategy.PCT;
                space = Plan.Space.of(scenario, pct ? 0 : defaultJitter, pct ? Map.of() : perLine, pct ? 0 : startNs,
                        baseline.tieInstants());
                plan = new Plan(space, strat, seed, depth);
                o = Explorer.explore(text, name, baseline, plan, new Explorer.Budget(budgetRuns, wallBudget, shrink), runner, tick);
            } catch (RuntimeException e) {
                ScenarioRuns.print(stderr, file + ": explore failed: " + e.getMessage());
                return 1;
            }
            if (bar != null) {
                bar.close();
            }
            List<String> lines = summary(o, space, scenario, dir);
            String summary = String.join("\n", lines) + "\n";
            if (dir != null) {
                try {
                    dir.write("summary.txt", summary);
                } catch (IOException | RuntimeException e) {
                    ScenarioRuns.print(stderr, "kctx: cannot write to " + out + ": " + OutputDir.reason(e));
                    return 1;
                }
            }
            stdout.print(summary);
            stdout.flush();
            return o.findings().isEmpty() ? 0 : 1;
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
    }

    /** The summary; with {@code dir}, each finding's replay and report are written there. */
    private List<String> summary(Explorer.Outcome o, Plan.Space space, Scenario scenario, OutputDir dir) {
        List<String> l = new ArrayList<>();
        int n = o.results().size();
        l.add("explored " + scenario.name() + " (" + file + "): " + n + (n == 1 ? " run" : " runs") + ", strategy "
                + strategy + ", seed " + seed + (strategy == StrategyName.pct ? ", depth " + depth : "") + ", "
                + scenario.spec().cpus() + (scenario.spec().cpus() == 1 ? " CPU" : " CPUs"));
        l.add("  varied:    " + String.join("; ", varied(space, strategy == StrategyName.pct)));
        l.add("  schedules: " + o.distinctSchedules() + " distinct of " + n + " runs");
        List<String> cov = Explorer.coverage(o, space);
        for (int i = 0; i < cov.size(); i++) {
            l.add((i == 0 ? "  coverage:  " : "             ") + cov.get(i));
        }
        ExploreUnit.Result b = o.baseline();
        l.add("  default:   " + (b.sites().isEmpty() ? "no report" : b.sites().size() + " distinct report(s)")
                + (b.expectMet().isEmpty() ? "" : b.expectationsMet() ? ", expectations met" : ", expectations unmet"));
        l.add("");
        if (o.findings().isEmpty()) {
            l.add("found nothing the default run does not show");
            return l;
        }
        l.add("found " + o.findings().size() + (o.findings().size() == 1 ? " site" : " sites") + " the default run does not show:");
        int i = 0;
        for (Explorer.Finding f : o.findings()) {
            i++;
            l.add("[" + i + "] " + f.line());
            l.add("    first in run " + f.firstRun() + ", in " + f.runs() + (f.runs() == 1 ? " run" : " runs") + " in all;"
                    + (shrink ? " shrunk from " + f.found().parts().size() + " perturbations to " + f.shrunk().parts().size()
                    + " (" + f.shrinkRuns() + " runs)" : " not shrunk") + ": " + f.shrunk().describe());
            String replay = Replay.text(text, scenario.name(), f.shrunk());
            if (dir == null) {
                l.add("    replay: the scenario with");
                f.shrunk().yaml().lines().forEach(y -> l.add("      " + y));
                continue;
            }
            String yaml = "finding-" + i + ".yaml";
            Path path = dir.dir().resolve(yaml);
            String report = replayReport(path.toString(), replay, scenario.name(), f);
            try {
                dir.write(yaml, replay);
                dir.write("finding-" + i + ".txt", report);
            } catch (IOException e) {
                throw new IllegalStateException("cannot write " + path + ": " + OutputDir.reason(e), e);
            }
            l.add("    replay: kctx run " + path + "   (its report: finding-" + i + ".txt; trace sha256 "
                    + f.result().fingerprint().substring(0, 16) + "...)");
        }
        return l;
    }

    /**
     * What {@code kctx run PATH} prints for the replay: run here from its text, as that command runs
     * it; the explored run's trace must be the same, else the replay would not be one.
     */
    private static String replayReport(String path, String replay, String name, Explorer.Finding f) {
        Scenario s = ScenarioLoader.load(replay, name);
        ScenarioRuns.Outcome r = ScenarioRuns.execute(path, s, true, null, new Simulation.Budget(BudgetOptions.DEFAULT_MAX_EVENTS,
                Duration.ofNanos(Durations.parse(BudgetOptions.DEFAULT_MAX_WALL))), Dispatchers.config(null));
        if (!r.ok()) {
            throw new IllegalStateException(r.error());
        }
        String sha = dev.kctx.cli.output.RunReport.sha256(r.report().traceText());
        if (!sha.equals(f.result().fingerprint())) {
            throw new IllegalStateException("the replay of " + f.key() + " ran another schedule than the explored run"
                    + " (an engine bug: please report it)");
        }
        return r.report().text();
    }

    private static List<String> varied(Plan.Space space, boolean pct) {
        List<String> v = new ArrayList<>();
        if (!pct) {
            v.add("the seed");
        }
        space.irqWindows().forEach((k, w) -> v.add("irq " + k + " within ±" + dev.kctx.contexts.TimeFormat.format(w)));
        space.startRanges().forEach((k, r) -> v.add("start of " + k + " within " + Explorer.fmt(r.lo()) + ".." + Explorer.fmt(r.hi())));
        if (space.cpus() > 1) {
            v.add(pct ? "the CPUs' priorities and " + "their changes" : "the CPUs' turn order at each instant");
        }
        return v;
    }

    private static long nonNegative(String option, String value) {
        if ("0".equals(value.strip())) {
            return 0;
        }
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new KctxCommand.UsageError(option + ": " + e.getMessage() + " (0 to keep them)");
        }
    }

    /** The name a scenario without {@code name:} gets, as {@code kctx run} loads it. */
    private static String defaultName(String file) {
        if (ScenarioInput.STDIN.equals(file)) {
            return "stdin";
        }
        Path p = Path.of(file).getFileName();
        return ScenarioLoader.defaultName(p == null ? "scenario" : p.toString());
    }

    /** --out, checked and locked before the runs: a bad one is bad input (exit 2). */
    private OutputDir outputDir() {
        try {
            return OutputDir.open(out);
        } catch (OutputDir.Refused e) {
            throw new KctxCommand.UsageError("--out " + e.getMessage());
        }
    }
}
