package dev.kctx.cli.experiment;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import dev.kctx.actors.Machine;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.LongConsumer;

/**
 * Runs every cell of a sweep with seeds 1..N, a few machines at a time, and gathers per cell and
 * metric the N values (one per seed). Each run is a machine of its own, so running them side by
 * side changes nothing in any of them; the results come back in cell and seed order.
 */
public final class Sweep {
    private final int seeds;
    private final int parallelism;
    private final Config config;
    private final LongConsumer progress;
    private final AtomicLong done = new AtomicLong();
    private static final AtomicLong RUN_IDS = new AtomicLong();
    /** A wall-clock safety net only, as in {@link dev.kctx.actors.Simulation}. */
    private static final long WALL_LIMIT_MINUTES = 30;

    /** Where the runs go when not in this JVM: {@code null} for a local sweep. */
    private final Remote remote;

    /**
     * A local sweep: {@code parallelism} machines at a time in one actor system made with {@code config}.
     *
     * @param progress hears the number of runs finished so far (may be null)
     */
    public Sweep(int seeds, int parallelism, Config config, LongConsumer progress) {
        this(seeds, parallelism, config, null, progress);
    }

    /**
     * A sweep whose runs are made by {@code remote} (a cluster's workers, see {@link SweepUnits}): the
     * points come back in the same order with the same values as a local sweep's.
     */
    public Sweep(int seeds, Remote remote, LongConsumer progress) {
        this(seeds, 1, null, java.util.Objects.requireNonNull(remote, "remote"), progress);
    }

    private Sweep(int seeds, int parallelism, Config config, Remote remote, LongConsumer progress) {
        if (seeds < 1) {
            throw new IllegalArgumentException("at least one seed, not " + seeds);
        }
        this.seeds = seeds;
        this.parallelism = Math.max(1, parallelism);
        this.config = config;
        this.remote = remote;
        this.progress = progress == null ? n -> { } : progress;
    }

    /**
     * Makes the runs of a sweep somewhere else. Run {@code k} is cell {@code k / seeds} with seed
     * {@code k % seeds + 1}; whoever makes it builds it from the experiment's {@link Plan}.
     */
    public interface Remote {
        /** Each run's measures, in run order; {@code progress} hears how many are done so far. */
        List<Map<String, Double>> measure(int cells, int seeds, LongConsumer progress);
    }

    /** A sweep's cells and the machine of each cell and seed. */
    public record Plan<C>(List<C> cells, BiFunction<C, Long, Run> runOf) {
        public Plan {
            cells = List.copyOf(cells);
        }

        /** The run of cell {@code cell} (its index) with {@code seed}. */
        public Run run(int cell, long seed) {
            return runOf.apply(cells.get(cell), seed);
        }
    }

    public int seeds() {
        return seeds;
    }

    /**
     * One run of a machine: its spec, how long to simulate, whether to keep its trace (for measures
     * read from sched_* events), and what to read from the result.
     */
    public record Run(MachineSpec spec, long untilNs, boolean trace,
                      java.util.function.Function<RunResult, Map<String, Double>> measure) {
        /** A run without a trace: its measure reads the probe or the CPU statistics. */
        public Run(MachineSpec spec, long untilNs, java.util.function.Function<RunResult, Map<String, Double>> measure) {
            this(spec, untilNs, false, measure);
        }
    }

    /** The values of one cell: per metric, one value per seed (seed 1 first). */
    public record Point<C>(C cell, Map<String, double[]> values) {
        public Band band(String metric) {
            return Band.of(values(metric));
        }

        public double[] values(String metric) {
            double[] v = values.get(metric);
            if (v == null) {
                throw new IllegalArgumentException("no metric " + metric + "; have " + values.keySet());
            }
            return v.clone();
        }
    }

    /** The median of the per-seed values with their minimum and maximum. */
    public record Band(double median, double min, double max) {
        public static Band of(double... values) {
            if (values.length == 0) {
                throw new IllegalArgumentException("no values");
            }
            double[] s = values.clone();
            Arrays.sort(s);
            int n = s.length;
            double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
            return new Band(median, s[0], s[n - 1]);
        }

        /** {@code min..max} as the tables write it. */
        public String range() {
            return ResultTable.cell(min) + ".." + ResultTable.cell(max);
        }
    }

    /** Runs every cell of {@code plan} with every seed. */
    public <C> List<Point<C>> run(Plan<C> plan) {
        return run(plan.cells(), plan.runOf());
    }

    /** Runs {@code runOf(cell, seed)} for every cell and seed. */
    public <C> List<Point<C>> run(List<C> cells, BiFunction<C, Long, Run> runOf) {
        if (remote != null) {
            List<Map<String, Double>> all = remote.measure(cells.size(), seeds, progress);
            if (all.size() != cells.size() * seeds) {
                throw new IllegalStateException(all.size() + " results for " + cells.size() * seeds + " runs");
            }
            List<Point<C>> points = new ArrayList<>();
            for (int i = 0; i < cells.size(); i++) {
                points.add(point(cells.get(i), all.subList(i * seeds, (i + 1) * seeds)));
            }
            return points;
        }
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "kctx-sweep");
            t.setDaemon(true);
            return t;
        });
        ActorSystem<Void> system = engine(config);
        try {
            List<List<Future<Map<String, Double>>>> futures = new ArrayList<>();
            for (C cell : cells) {
                List<Future<Map<String, Double>>> perSeed = new ArrayList<>();
                for (long seed = 1; seed <= seeds; seed++) {
                    Run run = runOf.apply(cell, seed);
                    perSeed.add(pool.submit(() -> {
                        Map<String, Double> m = measure(system, run);
                        progress.accept(done.incrementAndGet());
                        return m;
                    }));
                }
                futures.add(perSeed);
            }
            List<Point<C>> points = new ArrayList<>();
            for (int i = 0; i < cells.size(); i++) {
                points.add(collect(cells.get(i), futures.get(i)));
            }
            return points;
        } finally {
            pool.shutdownNow();
            system.terminate();
        }
    }

    /** The actor system the sweep's machines run in: a local one, whatever else runs in the JVM. */
    private static ActorSystem<Void> engine(Config config) {
        return ActorSystem.create(Behaviors.empty(), "kctx-sweep", config);
    }

    /**
     * One machine in the sweep's actor system: a small parent starts it, takes its answer and stops
     * with it. Starting an actor system per run would cost more than most runs.
     */
    public static RunResult runIn(ActorSystem<Void> system, Run run) {
        CompletableFuture<RunResult> done = new CompletableFuture<>();
        system.systemActorOf(Behaviors.<Machine.Finished>setup(ctx -> {
            ActorRef<Machine.Command> m = ctx.spawn(Machine.create(run.spec(), run.trace()), "machine");
            ctx.watch(m);
            m.tell(new Machine.Start(run.untilNs(), ctx.getSelf()));
            return Behaviors.receive(Machine.Finished.class)
                    .onMessage(Machine.Finished.class, f -> {
                        done.complete(f.result());
                        return Behaviors.stopped();
                    })
                    .onSignal(Terminated.class, t -> {
                        done.completeExceptionally(new IllegalStateException("the machine stopped before answering"
                                + " (an engine failure; run with -v for its log)"));
                        return Behaviors.stopped();
                    })
                    .build();
        }), "run-" + RUN_IDS.incrementAndGet(), Props.empty());
        try {
            return done.get(WALL_LIMIT_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(run.spec().name() + " did not finish: " + e.getMessage(), e);
        }
    }

    /** One run in {@code system}, measured; a run that fails is an error. */
    static Map<String, Double> measure(ActorSystem<Void> system, Run run) {
        RunResult r = runIn(system, run);
        if (r.failure().isPresent()) {
            throw new IllegalStateException(run.spec().name() + " seed " + run.spec().seed() + " failed: " + r.failure().get());
        }
        return run.measure().apply(r);
    }

    private static <C> Point<C> collect(C cell, List<Future<Map<String, Double>>> perSeed) {
        List<Map<String, Double>> measures = new ArrayList<>();
        for (Future<Map<String, Double>> f : perSeed) {
            try {
                measures.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            }
        }
        return point(cell, measures);
    }

    /** A cell's point from its runs' measures, seed 1 first. */
    private static <C> Point<C> point(C cell, List<Map<String, Double>> perSeed) {
        Map<String, double[]> values = new LinkedHashMap<>();
        for (int s = 0; s < perSeed.size(); s++) {
            for (var e : perSeed.get(s).entrySet()) {
                values.computeIfAbsent(e.getKey(), k -> new double[perSeed.size()])[s] = e.getValue();
            }
        }
        return new Point<>(cell, values);
    }
}
