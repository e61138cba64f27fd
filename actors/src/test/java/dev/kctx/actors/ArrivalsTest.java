package dev.kctx.actors;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Arrivals")
class ArrivalsTest {

    /** The arrival times as the machine draws them: first(), then next() after each, until -1 or {@code max}. */
    static List<Long> times(Arrivals a, SplittableRandom random, int max) {
        List<Long> out = new ArrayList<>();
        long t = a.first(random);
        for (int n = 0; t >= 0 && out.size() < max; n++) {
            out.add(t);
            t = a.next(t, n, random);
        }
        return out;
    }

    @Nested
    @DisplayName("At")
    class At {
        @Test
        @DisplayName("fires at the given times, in order, then stops")
        void givenTimes() {
            assertEquals(List.of(5L, 10L, 10L, 300L), times(new Arrivals.At(List.of(5L, 10L, 10L, 300L)), null, 100),
                    "each listed time once, equal times included");
        }

        @Test
        @DisplayName("with no times it never fires")
        void empty() {
            assertEquals(-1, new Arrivals.At(List.of()).first(null), "no first arrival");
        }

        @Test
        @DisplayName("rejects negative and descending times")
        void validation() {
            assertThrows(IllegalArgumentException.class, () -> new Arrivals.At(List.of(-1L)), "negative time");
            assertThrows(IllegalArgumentException.class, () -> new Arrivals.At(List.of(10L, 5L)), "descending times");
        }

        @Test
        @DisplayName("keeps its own copy of the times")
        void copiesTimes() {
            List<Long> given = new ArrayList<>(List.of(1L, 2L));
            Arrivals.At at = new Arrivals.At(given);
            given.add(3L);

            assertEquals(List.of(1L, 2L), at.times(), "later changes to the caller's list do not leak in");
        }
    }

    @Nested
    @DisplayName("Every")
    class Every {
        @Test
        @DisplayName("fires count times, period apart, from start")
        void countedFromStart() {
            assertEquals(List.of(100L, 150L, 200L), times(new Arrivals.Every(50, 3, 100), null, 100),
                    "three arrivals 50 ns apart from 100 ns");
        }

        @Test
        @DisplayName("count 1 fires once at start; count 0 never fires")
        void smallCounts() {
            assertEquals(List.of(7L), times(new Arrivals.Every(50, 1, 7), null, 100), "one arrival at start");
            assertEquals(List.of(), times(new Arrivals.Every(50, 0, 7), null, 100), "no arrival");
        }

        @Test
        @DisplayName("a negative count fires without end")
        void endless() {
            List<Long> t = times(new Arrivals.Every(1_000, -1, 0), null, 10_000);

            assertEquals(10_000, t.size(), "still firing after 10000 arrivals");
            assertEquals(9_999_000L, t.get(9_999), "the 10000th arrival is 9999 periods after start");
        }

        @Test
        @DisplayName("rejects a period that is not positive and a negative start")
        void validation() {
            assertThrows(IllegalArgumentException.class, () -> new Arrivals.Every(0, 1, 0), "zero period");
            assertThrows(IllegalArgumentException.class, () -> new Arrivals.Every(-5, 1, 0), "negative period");
            assertThrows(IllegalArgumentException.class, () -> new Arrivals.Every(5, 1, -1), "negative start");
        }
    }

    @Nested
    @DisplayName("Rate")
    class Rate {
        @Test
        @DisplayName("the same seed gives the same arrival times; another seed gives others")
        void deterministicPerSeed() {
            Arrivals.Rate rate = new Arrivals.Rate(50_000, 1_000, 0);

            List<Long> first = times(rate, new SplittableRandom(2024), 2_000);
            List<Long> again = times(rate, new SplittableRandom(2024), 2_000);
            List<Long> other = times(rate, new SplittableRandom(2025), 2_000);

            assertEquals(first, again, "the sequence is a function of the seed");
            assertNotEquals(first, other, "a different seed gives a different sequence");
        }

        @Test
        @DisplayName("fires count times, strictly later each time, after start")
        void countedAndIncreasing() {
            List<Long> t = times(new Arrivals.Rate(1e6, 500, 10_000), new SplittableRandom(1), 1_000);

            assertEquals(500, t.size(), "exactly count arrivals");
            assertTrue(t.get(0) > 10_000, "the first arrival comes one random gap after start: " + t.get(0));
            for (int i = 1; i < t.size(); i++) {
                assertTrue(t.get(i) > t.get(i - 1), "arrival " + i + " is strictly after the previous one");
            }
            assertEquals(List.of(), times(new Arrivals.Rate(1e6, 0, 0), new SplittableRandom(1), 10),
                    "count 0 never fires");
        }

        @Test
        @DisplayName("over many arrivals the mean gap is 1/rate and the gaps spread like an exponential")
        void meanGapIsInverseRate() {
            double perSecond = 10_000;
            int n = 100_000;
            List<Long> t = times(new Arrivals.Rate(perSecond, n, 0), new SplittableRandom(99), n);
            double sum = t.get(0);
            double sumSq = (double) t.get(0) * t.get(0);
            for (int i = 1; i < n; i++) {
                double gap = t.get(i) - t.get(i - 1);
                sum += gap;
                sumSq += gap * gap;
            }
            double mean = sum / n;
            double sd = Math.sqrt(sumSq / n - mean * mean);
            double expected = 1e9 / perSecond;

            // The sample mean's standard error is expected/sqrt(n), about 0.3 %: 2 % is over six of them.
            assertTrue(Math.abs(mean - expected) < 0.02 * expected,
                    "mean gap " + mean + " ns is within 2 % of 1/rate = " + expected + " ns");
            assertTrue(Math.abs(sd / mean - 1) < 0.05,
                    "a Poisson process has gaps whose standard deviation equals their mean: sd/mean = " + sd / mean);
        }

        @ParameterizedTest(name = "rate {0}")
        @ValueSource(doubles = {0, -1, Double.NaN, Double.POSITIVE_INFINITY})
        @DisplayName("rejects a rate that is not a positive finite number")
        void validation(double perSecond) {
            assertThrows(IllegalArgumentException.class, () -> new Arrivals.Rate(perSecond, 1, 0),
                    "rate " + perSecond + " is rejected");
        }
    }
}
