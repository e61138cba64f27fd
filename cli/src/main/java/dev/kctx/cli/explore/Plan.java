package dev.kctx.cli.explore;

import dev.kctx.actors.Arrivals;
import dev.kctx.actors.MachineSpec;
import dev.kctx.cli.scenario.Scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which runs to do: run {@code i}'s {@link Choices} are a pure function of the perturbation
 * {@link Space}, the strategy, the exploration seed and {@code i}, so any part of the plan can be
 * computed anywhere, in any order. Run 0 is the default run.
 *
 * <ul>
 * <li>{@link Strategy#RANDOM}: every run varies everything at once: the machine's seed, each
 *     interrupt line's arrivals within its jitter window, each task's start within its window, and
 *     (on several CPUs) the CPUs' turn order. The timings follow a Halton sequence with a random
 *     shift (one prime base per line or task), so N runs cover each window evenly, with gaps of
 *     about window / N, instead of clumping as independent draws do.</li>
 * <li>{@link Strategy#PCT}: the timings stay as they are; each run gives the CPUs random priorities
 *     and demotes the first CPU at {@code depth - 1} instants drawn from those where the default
 *     run had work on several CPUs (Burckhardt et al., ASPLOS 2010).</li>
 * </ul>
 *
 * @param space    what may vary
 * @param strategy how runs are chosen
 * @param seed     the exploration's seed
 * @param depth    PCT's bug depth d: d - 1 priority changes per run
 */
public record Plan(Space space, Strategy strategy, long seed, int depth) {

    /** How the runs are chosen. */
    public enum Strategy { RANDOM, PCT }

    /** A range of shifts in ns, {@code lo..hi}. */
    public record Range(long lo, long hi) {
    }

    /**
     * What a scenario lets explore vary.
     *
     * @param cpus        the machine's CPUs (the turn order varies only with two or more)
     * @param untilNs     how long a run lasts
     * @param irqWindows  per interrupt line, the jitter window W: its arrivals move within -W..W
     * @param startRanges per task, how far its start may move: lo..hi (lo is never before time 0)
     * @param tieInstants where the default run had work on several CPUs at one instant
     */
    public record Space(int cpus, long untilNs, Map<String, Long> irqWindows, Map<String, Range> startRanges,
                        List<Long> tieInstants) {
        public Space {
            irqWindows = java.util.Collections.unmodifiableMap(new TreeMap<>(irqWindows));
            startRanges = java.util.Collections.unmodifiableMap(new TreeMap<>(startRanges));
            tieInstants = List.copyOf(tieInstants);
        }

        /**
         * The space of {@code s}: each line's window is {@code jitter.get(name)}, else
         * {@code defaultJitter}, at most half the period of a periodic line (so that its arrivals keep
         * their order); each task's start moves by up to {@code startWindow} either way.
         */
        public static Space of(Scenario s, long defaultJitter, Map<String, Long> jitter, long startWindow, List<Long> tieInstants) {
            Map<String, Long> irqs = new LinkedHashMap<>();
            for (MachineSpec.Irq irq : s.spec().irqs()) {
                long w = jitter.getOrDefault(irq.name(), defaultJitter);
                if (irq.arrivals() instanceof Arrivals.Every e) {
                    w = Math.min(w, e.periodNs() / 2);
                }
                if (w > 0) {
                    irqs.put(irq.name(), w);
                }
            }
            Map<String, Range> starts = new LinkedHashMap<>();
            if (startWindow > 0) {
                List<MachineSpec.Task> tasks = new ArrayList<>(s.spec().kthreads());
                tasks.addAll(s.spec().processes());
                for (MachineSpec.Task t : tasks) {
                    starts.put(t.name(), new Range(-Math.min(startWindow, t.startNs()), startWindow));
                }
            }
            return new Space(s.spec().cpus(), s.untilNs(), irqs, starts, tieInstants);
        }

        /** How many timing dimensions (lines, then tasks). */
        int dimensions() {
            return irqWindows.size() + startRanges.size();
        }
    }

    public Plan {
        if (depth < 1) {
            throw new IllegalArgumentException("PCT depth must be at least 1");
        }
    }

    /** The choices of run {@code index}. */
    public Choices choices(long index) {
        if (index == 0) {
            return Choices.NONE;
        }
        SplittableRandom run = new SplittableRandom(mix(seed, index));
        Long ties = space.cpus() > 1 ? run.nextLong() : null;
        if (strategy == Strategy.PCT) {
            return new Choices(null, Map.of(), Map.of(), run.nextLong(), changes(run));
        }
        long machineSeed = run.nextLong();
        SplittableRandom shifts = new SplittableRandom(seed);
        Map<String, Long> irqs = new TreeMap<>();
        Map<String, Long> starts = new TreeMap<>();
        int d = 0;
        for (var e : space.irqWindows().entrySet()) {
            double x = frac(halton(index, PRIMES[d % PRIMES.length]) + shifts.nextDouble());
            long w = e.getValue();
            long v = Math.round(-w + 2.0 * w * x);
            if (v != 0) {
                irqs.put(e.getKey(), v);
            }
            d++;
        }
        for (var e : space.startRanges().entrySet()) {
            double x = frac(halton(index, PRIMES[d % PRIMES.length]) + shifts.nextDouble());
            long lo = e.getValue().lo();
            long hi = e.getValue().hi();
            long v = lo + Math.round((hi - lo) * x);
            if (v != 0) {
                starts.put(e.getKey(), v);
            }
            d++;
        }
        return new Choices(machineSeed, irqs, starts, ties, List.of());
    }

    /** {@code depth - 1} distinct priority change instants: tie instants of the default run, else any instant. */
    private List<Long> changes(SplittableRandom r) {
        TreeSet<Long> out = new TreeSet<>();
        List<Long> ties = space.tieInstants();
        int want = depth - 1;
        int attempts = 0;
        while (out.size() < want && attempts++ < 64 * want) {
            out.add(ties.isEmpty() ? r.nextLong(space.untilNs() + 1) : ties.get(r.nextInt(ties.size())));
        }
        return new ArrayList<>(out);
    }

    /** The first primes: the Halton bases of the timing dimensions. */
    private static final int[] PRIMES = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71};

    /** The radical inverse of {@code i} in base {@code b}: the Halton sequence's i-th value, in [0, 1). */
    static double halton(long i, int b) {
        double f = 1;
        double r = 0;
        long n = i;
        while (n > 0) {
            f /= b;
            r += f * (n % b);
            n /= b;
        }
        return r;
    }

    private static double frac(double x) {
        return x - Math.floor(x);
    }

    /** A run's own generator seed, well apart from its neighbours'. */
    static long mix(long seed, long index) {
        return new SplittableRandom(seed ^ (index * 0x9E3779B97F4A7C15L)).nextLong();
    }
}
