package dev.kctx.cli.explore;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import dev.kctx.actors.Perturbation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code kctx explore}'s search: runs a scenario under the {@link Plan}'s choices, compares each run
 * with the default run, deduplicates what it finds by report site, shrinks each finding to the
 * fewest perturbations that still show it, and says what it covered.
 *
 * <h2>For a cluster</h2>
 * The work is split so that any executor can do the runs: {@link Runner} is the only thing that
 * runs machines. It gets {@link ExploreUnit.Task}s (plain values: the scenario's text and name, the
 * run's index and {@link Choices}) and answers {@link ExploreUnit.Result}s (plain values), each the
 * pure function {@link ExploreUnit#run}. Which runs to do is {@link Plan#choices(long)} (a pure
 * function of the index); what is found is {@link #merge}, which orders findings by the first run
 * that showed them and their key, so it does not matter which run finished first or where it ran.
 * A cluster runner ({@link ExploreUnits#remote}) implements {@link Runner#run} by handing the tasks
 * to workers and answering the results in task order; everything else stays on the coordinator.
 * {@link #local} runs them on this JVM's threads.
 */
public final class Explorer {

    /**
     * Runs explore tasks: answers their results in task order, whoever ran them. {@code done}
     * hears each finished run (from any thread).
     */
    public interface Runner extends AutoCloseable {
        List<ExploreUnit.Result> run(List<ExploreUnit.Task> tasks, Runnable done);

        @Override
        void close();
    }

    /** A runner of {@code jobs} runs at a time in one actor system of this JVM. */
    public static Runner local(int jobs, Config config) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, jobs), r -> {
            Thread t = new Thread(r, "kctx-explore");
            t.setDaemon(true);
            return t;
        });
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "kctx-explore", config);
        return new Runner() {
            @Override
            public List<ExploreUnit.Result> run(List<ExploreUnit.Task> tasks, Runnable done) {
                List<Future<ExploreUnit.Result>> fs = new ArrayList<>();
                for (ExploreUnit.Task t : tasks) {
                    fs.add(pool.submit(() -> {
                        ExploreUnit.Result r = ExploreUnit.run(t, system);
                        done.run();
                        return r;
                    }));
                }
                List<ExploreUnit.Result> out = new ArrayList<>();
                for (Future<ExploreUnit.Result> f : fs) {
                    try {
                        out.add(f.get());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    } catch (ExecutionException e) {
                        throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                    }
                }
                return out;
            }

            @Override
            public void close() {
                pool.shutdownNow();
                system.terminate();
            }
        };
    }

    /**
     * What to explore and how long.
     *
     * @param runs     the most runs (the default run included)
     * @param wall     wall-clock time after which no new run starts, or null
     * @param shrink   whether to shrink the findings
     */
    public record Budget(long runs, Duration wall, boolean shrink) {
        public Budget {
            if (runs < 1) {
                throw new IllegalArgumentException("at least one run");
            }
        }
    }

    /**
     * A report site (or broken expectation) that runs showed and the default run did not.
     *
     * @param key        the site's deduplication key
     * @param line       what it is, in one line
     * @param firstRun   the first run that showed it
     * @param runs       how many runs showed it
     * @param found      that first run's choices
     * @param shrunk     the fewest of them that still show it (equal to {@code found} without shrinking)
     * @param shrinkRuns the runs shrinking took
     * @param result     the run of {@code shrunk}
     */
    public record Finding(String key, String line, long firstRun, long runs, Choices found, Choices shrunk, long shrinkRuns,
                          ExploreUnit.Result result) {
    }

    /**
     * The whole exploration.
     *
     * @param baseline  the default run
     * @param results   every run, in plan order (the default run first)
     * @param findings  what was found, deduplicated, in {@link #merge} order
     * @param plan      the plan the runs came from
     */
    public record Outcome(ExploreUnit.Result baseline, List<ExploreUnit.Result> results, List<Finding> findings, Plan plan) {
        /** How many distinct schedules (trace fingerprints) the runs had. */
        public long distinctSchedules() {
            return results.stream().map(ExploreUnit.Result::fingerprint).distinct().count();
        }
    }

    private Explorer() {
    }

    /** The sites of {@code r} that the default run {@code base} did not have: its findings. */
    public static List<ExploreUnit.Site> newSites(ExploreUnit.Result base, ExploreUnit.Result r) {
        Set<String> known = new HashSet<>();
        base.sites().forEach(s -> known.add(s.key()));
        List<ExploreUnit.Site> out = new ArrayList<>();
        for (ExploreUnit.Site s : r.sites()) {
            if (!known.contains(s.key())) {
                out.add(s);
            }
        }
        if (r.failure() != null && base.failure() == null) {
            out.add(new ExploreUnit.Site("failure|" + r.failure(), "failure", "run failed: " + r.failure(), 1));
        }
        if (out.isEmpty() && base.expectationsMet() && !r.expectationsMet()) {
            // A broken expectation with no new report behind it (a latency, a counter, a task's end).
            int i = r.expectMet().indexOf(false);
            out.add(new ExploreUnit.Site("expect|" + i, "expect", "expect: " + r.expectTexts().get(i), 1));
        }
        return out;
    }

    /**
     * The findings of {@code results} against {@code base}, deduplicated by key: each keeps the
     * lowest-indexed run that showed it, and they come ordered by that run, then key, whatever order
     * the results arrived in.
     */
    public static List<Finding> merge(ExploreUnit.Result base, List<ExploreUnit.Result> results) {
        Map<String, Finding> byKey = new TreeMap<>();
        List<ExploreUnit.Result> sorted = new ArrayList<>(results);
        sorted.sort(java.util.Comparator.comparingLong(ExploreUnit.Result::index));
        for (ExploreUnit.Result r : sorted) {
            for (ExploreUnit.Site s : newSites(base, r)) {
                Finding f = byKey.get(s.key());
                byKey.put(s.key(), f == null ? new Finding(s.key(), s.line(), r.index(), 1, r.choices(), r.choices(), 0, r)
                        : new Finding(f.key(), f.line(), f.firstRun(), f.runs() + 1, f.found(), f.shrunk(), 0, f.result()));
            }
        }
        List<Finding> out = new ArrayList<>(byKey.values());
        out.sort(java.util.Comparator.comparingLong(Finding::firstRun).thenComparing(Finding::key));
        return out;
    }

    /**
     * Explores {@code text} (named {@code name}) along {@code plan} within {@code budget}, on
     * {@code runner}, against the default run {@code baseline} (run first: its tie instants feed the
     * plan's space); {@code done} hears each finished run.
     */
    public static Outcome explore(String text, String name, ExploreUnit.Result baseline, Plan plan, Budget budget,
                                  Runner runner, Runnable done) {
        long deadline = budget.wall() == null ? Long.MAX_VALUE : System.nanoTime() + budget.wall().toNanos();
        List<ExploreUnit.Result> results = new ArrayList<>(List.of(baseline));
        long next = 1;
        int batch = 32;
        while (next < budget.runs() && System.nanoTime() < deadline) {
            List<ExploreUnit.Task> tasks = new ArrayList<>();
            for (long i = next; i < Math.min(budget.runs(), next + batch); i++) {
                tasks.add(new ExploreUnit.Task(i, text, name, plan.choices(i)));
            }
            results.addAll(runner.run(tasks, done));
            next += tasks.size();
        }
        List<Finding> findings = merge(baseline, results);
        if (budget.shrink()) {
            List<Finding> shrunk = new ArrayList<>();
            for (Finding f : findings) {
                shrunk.add(shrink(text, name, baseline, f, runner));
            }
            findings = shrunk;
        }
        return new Outcome(baseline, results, findings, plan);
    }

    /**
     * Takes perturbations away from {@code f}'s choices while the run still shows {@code f}'s site:
     * each round tries every single removal (side by side) and keeps the first, in the choices' part
     * order, that still shows it; it ends when none does (no single perturbation can go). Then a turn
     * order with priority changes is tried as a plain initial order instead (a few seeds with
     * distinct orders): PCT's changes often only rebuild an order some seed gives at once.
     */
    static Finding shrink(String text, String name, ExploreUnit.Result base, Finding f, Runner runner) {
        Choices c = f.found();
        ExploreUnit.Result last = f.result();
        long tried = 0;
        boolean progress = true;
        while (progress && !c.parts().isEmpty()) {
            progress = false;
            List<ExploreUnit.Task> tasks = new ArrayList<>();
            for (Choices.Part p : c.parts()) {
                tasks.add(new ExploreUnit.Task(f.firstRun(), text, name, c.without(p)));
            }
            List<ExploreUnit.Result> rs = runner.run(tasks, () -> { });
            tried += rs.size();
            for (ExploreUnit.Result r : rs) {
                if (newSites(base, r).stream().anyMatch(s -> s.key().equals(f.key()))) {
                    c = r.choices();
                    last = r;
                    progress = true;
                    break;
                }
            }
        }
        if (c.tiesSeed() != null && !c.tieChangesNs().isEmpty()) {
            // Priority changes may only rebuild an order a seed gives at once: try each initial order without changes.
            List<ExploreUnit.Task> tasks = new ArrayList<>();
            for (long s : orderSeeds(f.result().cpus())) {
                tasks.add(new ExploreUnit.Task(f.firstRun(), text, name,
                        new Choices(c.seed(), c.irqShiftsNs(), c.startShiftsNs(), s, List.of())));
            }
            List<ExploreUnit.Result> rs = runner.run(tasks, () -> { });
            tried += rs.size();
            for (ExploreUnit.Result r : rs) {
                if (newSites(base, r).stream().anyMatch(x -> x.key().equals(f.key()))) {
                    c = r.choices();
                    last = r;
                    break;
                }
            }
        }
        return new Finding(f.key(), f.line(), f.firstRun(), f.runs(), f.found(), c, tried, last);
    }

    /** Up to {@link #MAX_ORDER_SEEDS} seeds 0, 1, ... with distinct initial turn orders of {@code cpus} CPUs. */
    static List<Long> orderSeeds(int cpus) {
        List<Long> out = new ArrayList<>();
        Set<List<Integer>> seen = new HashSet<>();
        for (long s = 0; s < 64 && out.size() < MAX_ORDER_SEEDS; s++) {
            if (seen.add(new Perturbation.Ties(s, List.of()).forCpus(cpus).initial())) {
                out.add(s);
            }
        }
        return out;
    }

    /** The most initial orders shrinking tries in place of priority changes. */
    static final int MAX_ORDER_SEEDS = 6;

    /**
     * What the runs covered, one line per dimension: per line and task, how many distinct shifts
     * and the largest gap left in its window; the CPUs' initial turn orders tried out of all.
     */
    public static List<String> coverage(Outcome o, Plan.Space space) {
        List<String> out = new ArrayList<>();
        for (var e : space.irqWindows().entrySet()) {
            List<Long> vs = new ArrayList<>();
            o.results().forEach(r -> vs.add(r.choices().irqShiftsNs().getOrDefault(e.getKey(), 0L)));
            out.add("irq " + e.getKey() + ": " + gaps(vs, -e.getValue(), e.getValue()));
        }
        for (var e : space.startRanges().entrySet()) {
            List<Long> vs = new ArrayList<>();
            o.results().forEach(r -> vs.add(r.choices().startShiftsNs().getOrDefault(e.getKey(), 0L)));
            out.add("start " + e.getKey() + ": " + gaps(vs, e.getValue().lo(), e.getValue().hi()));
        }
        if (space.cpus() > 1) {
            Set<List<Integer>> orders = new HashSet<>();
            Set<String> schedules = new HashSet<>();
            for (ExploreUnit.Result r : o.results()) {
                List<Integer> order = r.choices().tiesSeed() == null ? defaultOrder(space.cpus())
                        : new Perturbation.Ties(r.choices().tiesSeed(), List.of()).forCpus(space.cpus()).initial();
                orders.add(order);
                schedules.add(order + "@" + r.choices().tieChangesNs());
            }
            long all = 1;
            for (int i = 2; i <= space.cpus() && all < 1_000_000_000L; i++) {
                all *= i;
            }
            out.add("CPU turn orders: " + orders.size() + " of " + (space.cpus() > 12 ? "more than 10^9" : all)
                    + (o.plan().strategy() == Plan.Strategy.PCT ? ", " + schedules.size() + " with distinct priority changes"
                    + " (from " + space.tieInstants().size() + " instants with work on several CPUs)" : ""));
        }
        return out;
    }

    private static List<Integer> defaultOrder(int cpus) {
        List<Integer> l = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            l.add(c);
        }
        return l;
    }

    /** {@code N shifts over LO..HI, largest gap G}. */
    private static String gaps(List<Long> values, long lo, long hi) {
        java.util.TreeSet<Long> s = new java.util.TreeSet<>(values);
        long prev = lo;
        long gap = 0;
        for (long v : s) {
            gap = Math.max(gap, v - prev);
            prev = v;
        }
        gap = Math.max(gap, hi - prev);
        return s.size() + " distinct shifts over " + fmt(lo) + ".." + fmt(hi) + ", largest gap " + fmt(gap);
    }

    /** A signed duration as the summary prints it: {@code -100us}. */
    public static String fmt(long ns) {
        return (ns < 0 ? "-" : "") + dev.kctx.contexts.TimeFormat.format(Math.abs(ns));
    }
}
