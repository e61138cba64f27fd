package dev.kctx.bench;

import com.typesafe.config.Config;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.mechanisms.bench.StandardWorkload;
import dev.kctx.mechanisms.bench.StandardWorkload.Params;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;

/**
 * What {@code kctx bench} measures, outside JMH: the standard workload on the engine and on the
 * {@link Baseline}, alternating in one process so both see the same machine, each repeated and
 * summarised by its median wall time (with the fastest and slowest run, for the spread); and the
 * JVM's peak heap over the engine's runs. The first runs of each are warm-ups and not counted.
 */
public final class Harness {
    /**
     * The numbers of one measurement: events per run (the same for both), virtual time per run,
     * the median wall time of an engine run (through {@code Simulation.run}, which after the warm-up
     * finds its actor system kept from the run before: the time is the machine's, not Akka's start-up)
     * and of a baseline run, the fastest and slowest timed run of each, and the peak heap in use.
     */
    public record Measurement(Params params, long events, long virtualNs, int repetitions, long engineWallNs,
                              long baselineWallNs, long peakHeapBytes, long engineFastestNs, long engineSlowestNs,
                              long baselineFastestNs, long baselineSlowestNs) {
        public double engineEventsPerSecond() {
            return events * 1e9 / engineWallNs;
        }

        public double baselineEventsPerSecond() {
            return events * 1e9 / baselineWallNs;
        }

        /** The engine's cost per event over the baseline's. */
        public double costRatio() {
            return (double) engineWallNs / baselineWallNs;
        }

        /** Virtual time over wall time on the engine: how much faster than real time. */
        public double realtimeFactor() {
            return (double) virtualNs / engineWallNs;
        }
    }

    private Harness() {
    }

    /**
     * Runs the workload {@code p} for {@code virtualNs} on both, alternately: {@code warmups} runs of
     * each whose times are not kept (the JIT compiles the engine and the model meanwhile), then
     * {@code repetitions} timed runs of each.
     */
    public static Measurement measure(Params p, long virtualNs, int warmups, int repetitions, Config config) {
        if (repetitions < 1) {
            throw new IllegalArgumentException("at least one repetition");
        }
        if (warmups < 0) {
            throw new IllegalArgumentException("a negative number of warm-up runs");
        }
        long[] engine = new long[repetitions];
        long[] baseline = new long[repetitions];
        long events = -1;
        resetPeaks();
        for (int i = -warmups; i < repetitions; i++) {
            long t0 = System.nanoTime();
            RunResult r = Simulation.run(StandardWorkload.spec(p), virtualNs, false, config);
            long t1 = System.nanoTime();
            Baseline.Result b = Baseline.run(p, virtualNs);
            long t2 = System.nanoTime();
            if (r.failure().isPresent()) {
                throw new IllegalStateException("the engine failed: " + r.failure().get());
            }
            if (r.events() != b.events()) {
                throw new IllegalStateException("engine and baseline disagree: " + r.events() + " vs " + b.events() + " events");
            }
            events = r.events();
            if (i >= 0) {
                engine[i] = t1 - t0;
                baseline[i] = t2 - t1;
            }
        }
        return new Measurement(p, events, virtualNs, repetitions, median(engine), median(baseline), peakHeap(),
                Arrays.stream(engine).min().getAsLong(), Arrays.stream(engine).max().getAsLong(),
                Arrays.stream(baseline).min().getAsLong(), Arrays.stream(baseline).max().getAsLong());
    }

    /** The median of {@code xs} (the mean of the middle two for an even count), NaN when empty. */
    static double medianOf(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static long median(long[] xs) {
        long[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    /** The heap pools' peaks added up: an upper bound of the heap in use at once (pools peak at different times). */
    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
