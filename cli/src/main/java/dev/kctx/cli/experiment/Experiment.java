package dev.kctx.cli.experiment;

import java.util.List;

/** One {@code kctx experiment}: a sweep of machines, the table and plot it makes, and what the data show. */
public interface Experiment {
    String name();

    /** One line for {@code --list}. */
    String description();

    int defaultSeeds();

    /** How many machine runs the experiment makes with {@code seeds} seeds (the progress bar's total). */
    long runs(int seeds);

    Result run(Sweep sweep);

    /** The table, the plot, and the findings: lines that say what the data show, tested from the data. */
    record Result(ResultTable table, LatencyFigure figure, List<String> findings) {
        public Result {
            findings = List.copyOf(findings);
        }
    }

    /** The experiments by name, in the order {@code --list} shows them. */
    static List<Experiment> all() {
        return List.of(new RelayVsNetlink(), new IrqsaveHold(), new SoftirqStorm());
    }

    /** Latencies in nanoseconds as a run's median and maximum in microseconds (NaN when there are none). */
    static double[] medianMaxUs(List<Long> ns) {
        if (ns.isEmpty()) {
            return new double[] {Double.NaN, Double.NaN};
        }
        long[] s = ns.stream().mapToLong(Long::longValue).sorted().toArray();
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
        return new double[] {median / 1000.0, s[n - 1] / 1000.0};
    }
}
