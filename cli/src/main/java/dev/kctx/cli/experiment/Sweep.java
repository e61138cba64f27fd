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

    /**
     * @param progress hears the number of runs finished so far (may be null)
     */
    public Sweep(int seeds, int parallelism, Config config, LongConsumer progress) {
        if (seeds < 1) {
            throw new IllegalArgumentException("at least one seed, not " + seeds);
        }
        this.seeds = seeds;
        this.parallelism = Math.max(1, parallelism);
        this.config = config;
        this.progress = progress == null ? n -> { } : progress;
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

    /** Runs {@code runOf(cell, seed)} for every cell and seed. */
    public <C> List<Point<C>> run(List<C> cells, BiFunction<C, Long, Run> runOf) {
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "kctx-sweep");
            t.setDaemon(true);
            return t;
        });
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "kctx-sweep", config);
        try {
            List<List<Future<Map<String, Double>>>> futures = new ArrayList<>();
            for (C cell : cells) {
                List<Future<Map<String, Double>>> perSeed = new ArrayList<>();
                for (long seed = 1; seed <= seeds; seed++) {
                    Run run = runOf.apply(cell, seed);
                    perSeed.add(pool.submit(() -> one(system, run)));
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

    private Map<String, Double> one(ActorSystem<Void> system, Run run) {
        RunResult r = runIn(system, run);
        if (r.failure().isPresent()) {
            throw new IllegalStateException(run.spec().name() + " seed " + run.spec().seed() + " failed: " + r.failure().get());
        }
        Map<String, Double> m = run.measure().apply(r);
        progress.accept(done.incrementAndGet());
        return m;
    }

    private static <C> Point<C> collect(C cell, List<Future<Map<String, Double>>> perSeed) {
        Map<String, double[]> values = new LinkedHashMap<>();
        for (int s = 0; s < perSeed.size(); s++) {
            Map<String, Double> m;
            try {
                m = perSeed.get(s).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            }
            for (var e : m.entrySet()) {
                values.computeIfAbsent(e.getKey(), k -> new double[perSeed.size()])[s] = e.getValue();
            }
        }
        return new Point<>(cell, values);
    }
}
