package dev.kctx.actors;

import java.util.List;
import java.util.SplittableRandom;

/** When an interrupt line fires: at given times, periodically, or at a seeded random rate. */
public sealed interface Arrivals {

    /** The first arrival time, or -1 for none. */
    long first(SplittableRandom random);

    /** The arrival after the {@code n}-th (0-based) one at {@code previous}, or -1 for none. */
    long next(long previous, int n, SplittableRandom random);

    /** At these virtual times (ascending). */
    record At(List<Long> times) implements Arrivals {
        public At {
            times = List.copyOf(times);
            for (int i = 0; i < times.size(); i++) {
                if (times.get(i) < 0 || (i > 0 && times.get(i) < times.get(i - 1))) {
                    throw new IllegalArgumentException("arrival times must be non-negative and ascending: " + times);
                }
            }
        }

        public long first(SplittableRandom random) {
            return times.isEmpty() ? -1 : times.get(0);
        }

        public long next(long previous, int n, SplittableRandom random) {
            return n + 1 < times.size() ? times.get(n + 1) : -1;
        }
    }

    /** Every {@code periodNs}, starting at {@code startNs}, {@code count} times (negative: without end). */
    record Every(long periodNs, long count, long startNs) implements Arrivals {
        public Every {
            if (periodNs <= 0) {
                throw new IllegalArgumentException("period must be positive");
            }
            if (startNs < 0) {
                throw new IllegalArgumentException("start must not be negative");
            }
        }

        public long first(SplittableRandom random) {
            return count == 0 ? -1 : startNs;
        }

        public long next(long previous, int n, SplittableRandom random) {
            return count >= 0 && n + 1 >= count ? -1 : previous + periodNs;
        }
    }

    /** A Poisson process with {@code perSecond} arrivals per virtual second on average, seeded. */
    record Rate(double perSecond, long count, long startNs) implements Arrivals {
        public Rate {
            if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException("rate must be a positive number per second");
            }
            if (startNs < 0) {
                throw new IllegalArgumentException("start must not be negative");
            }
        }

        public long first(SplittableRandom random) {
            return count == 0 ? -1 : startNs + gap(random);
        }

        public long next(long previous, int n, SplittableRandom random) {
            return count >= 0 && n + 1 >= count ? -1 : previous + gap(random);
        }

        private long gap(SplittableRandom random) {
            double u = random.nextDouble();
            return Math.max(1, Math.round(-Math.log(1.0 - u) / perSecond * 1e9));
        }
    }
}
