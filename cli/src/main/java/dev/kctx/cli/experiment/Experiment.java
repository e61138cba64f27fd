package dev.kctx.cli.experiment;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;

/** One {@code kctx experiment}: a sweep of machines, the table and plot it makes, and what the data show. */
public abstract class Experiment {
    private final String name;
    private final String description;
    private final int defaultSeeds;
    private final int cells;

    /** {@code cells}: the points of the sweep, each run once per seed. */
    protected Experiment(String name, String description, int defaultSeeds, int cells) {
        this.name = name;
        this.description = description;
        this.defaultSeeds = defaultSeeds;
        this.cells = cells;
    }

    public final String name() {
        return name;
    }

    /** One line for {@code --list}. */
    public final String description() {
        return description;
    }

    /** More about the experiment for {@code kctx experiment --help}: the machine, the measure, the cost; may be empty. */
    public String details() {
        return "";
    }

    /**
     * A smaller version for a first look or a test ({@code --quick}): fewer points, shorter runs.
     * An experiment without one runs in full.
     */
    public Experiment quick() {
        return this;
    }

    public final int defaultSeeds() {
        return defaultSeeds;
    }

    /** How many machine runs the experiment makes with {@code seeds} seeds (the progress bar's total). */
    public final long runs(int seeds) {
        return (long) cells * seeds;
    }

    /**
     * The sweep's cells and the machine of each cell and seed: {@link #run} hands it to the sweep, and a
     * cluster worker builds the same plan to run one cell and seed of it (see {@link SweepUnits}).
     */
    abstract Sweep.Plan<?> plan();

    /** Runs {@link #plan()} on {@code sweep} and reads the table, the plot and the findings from the points. */
    public abstract Result run(Sweep sweep);

    /** The experiment called {@code name}, in full or {@code quick}; empty if there is none. */
    public static java.util.Optional<Experiment> named(String name, boolean quick) {
        return all().stream().filter(e -> e.name().equals(name)).findFirst().map(e -> quick ? e.quick() : e);
    }

    /** The table, the plot, and the findings: lines that say what the data show, tested from the data. */
    public record Result(ResultTable table, LatencyFigure figure, List<String> findings) {
        public Result {
            findings = List.copyOf(findings);
        }
    }

    /** The experiments by name, in the order {@code --list} shows them. */
    public static List<Experiment> all() {
        return List.of(new RelayVsNetlink(), new IrqsaveHold(), new SoftirqStorm(), new WakeupLatency());
    }

    /**
     * A run's latencies (nanoseconds recorded in {@code h}) as microseconds: {@code median},
     * {@code p99}, {@code max}, and the {@code samples} count; NaN when there are none.
     */
    static Map<String, Double> latencyUs(Histogram h) {
        boolean none = h.getTotalCount() == 0;
        return Map.of("median", none ? Double.NaN : h.getValueAtPercentile(50) / 1000.0,
                "p99", none ? Double.NaN : h.getValueAtPercentile(99) / 1000.0,
                "max", none ? Double.NaN : h.getMaxValue() / 1000.0,
                "samples", (double) h.getTotalCount());
    }
}
