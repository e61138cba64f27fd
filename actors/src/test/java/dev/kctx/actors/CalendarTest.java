package dev.kctx.actors;

import dev.kctx.contexts.ContextLevel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

@DisplayName("Calendar orders events by (time, cpu, level from HARDIRQ down, source, insertion)")
class CalendarTest {

    private final Calendar calendar = new Calendar();

    /** A distinguishable event; its generation number serves as a label. */
    private static Cpu.Event event(long time, long label) {
        return new Cpu.Tick(time, label);
    }

    private List<Long> drainLabels() {
        List<Long> labels = new ArrayList<>();
        for (Calendar.Entry e = calendar.poll(); e != null; e = calendar.poll()) {
            labels.add(((Cpu.Tick) e.event()).gen());
        }
        return labels;
    }

    @Test
    @DisplayName("earlier time first, whatever the insertion order")
    void timeFirst() {
        calendar.add(0, ContextLevel.USER, 0, event(30, 3));
        calendar.add(0, ContextLevel.USER, 0, event(10, 1));
        calendar.add(0, ContextLevel.USER, 0, event(20, 2));

        assertEquals(List.of(1L, 2L, 3L), drainLabels(), "events come out in virtual-time order");
    }

    @Test
    @DisplayName("at one instant, lower CPU first, even against a higher level")
    void cpuBeforeLevel() {
        calendar.add(1, ContextLevel.HARDIRQ, 0, event(10, 2));
        calendar.add(0, ContextLevel.USER, 0, event(10, 1));

        assertEquals(List.of(1L, 2L), drainLabels(), "CPU 0's user event precedes CPU 1's hard IRQ");
    }

    @Test
    @DisplayName("at one instant on one CPU, HARDIRQ first, then SOFTIRQ, KERNEL, USER")
    void levelOrder() {
        calendar.add(0, ContextLevel.USER, 0, event(10, 4));
        calendar.add(0, ContextLevel.KERNEL, 0, event(10, 3));
        calendar.add(0, ContextLevel.HARDIRQ, 0, event(10, 1));
        calendar.add(0, ContextLevel.SOFTIRQ, 0, event(10, 2));

        assertEquals(List.of(1L, 2L, 3L, 4L), drainLabels(), "preemption order: the highest level first");
    }

    @Test
    @DisplayName("at one instant, CPU and level, lower source id first (per-CPU sources are negative)")
    void sourceOrder() {
        calendar.add(0, ContextLevel.KERNEL, 5, event(10, 3));
        calendar.add(0, ContextLevel.KERNEL, -2, event(10, 1));
        calendar.add(0, ContextLevel.KERNEL, 0, event(10, 2));

        assertEquals(List.of(1L, 2L, 3L), drainLabels(), "source ids break the tie in ascending order");
    }

    @Test
    @DisplayName("events equal in every key come out in insertion order")
    void insertionOrderBreaksTies() {
        for (long i = 0; i < 1_000; i++) {
            calendar.add(0, ContextLevel.KERNEL, 7, event(10, i));
        }

        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 1_000; i++) {
            expected.add(i);
        }
        assertEquals(expected, drainLabels(), "a heap alone is not stable; the sequence number makes it FIFO");
    }

    @Test
    @DisplayName("a shuffled mix comes out sorted by the full key")
    void shuffledMix() {
        record Key(long time, int cpu, ContextLevel level, int source, long label) {
        }
        List<Key> keys = new ArrayList<>();
        long label = 0;
        for (long t = 0; t < 3; t++) {
            for (int cpu = 0; cpu < 3; cpu++) {
                for (ContextLevel level : ContextLevel.values()) {
                    for (int source = -3; source < 3; source++) {
                        keys.add(new Key(t, cpu, level, source, label++));
                    }
                }
            }
        }
        List<Key> shuffled = new ArrayList<>(keys);
        Collections.shuffle(shuffled, new Random(11));
        shuffled.forEach(k -> calendar.add(k.cpu(), k.level(), k.source(), event(k.time(), k.label())));

        List<Long> expected = keys.stream()
                .sorted(Comparator.comparingLong(Key::time).thenComparingInt(Key::cpu)
                        .thenComparing(Key::level, Comparator.reverseOrder()).thenComparingInt(Key::source))
                .map(Key::label).toList();
        assertEquals(expected, drainLabels(), "the order is (time, cpu, level descending, source)");
    }

    @Test
    @DisplayName("adds and polls interleaved at random come out as a sort would give, for extreme sources and 64 CPUs")
    void randomAgainstSort() {
        randomAgainstSort(50, 0, false);
    }

    @Test
    @DisplayName("the same with times spread over many buckets, beyond the ring and at the end of the time line")
    void randomAgainstSortFarApart() {
        randomAgainstSort(3L << (Calendar.BUCKET_SHIFT + 11), 200, false);
    }

    @Test
    @DisplayName("step ends kept as primitives merge into the same order as events, and come out as their records")
    void stepEndsMergeIntoTheOrder() {
        randomAgainstSort(1L << (Calendar.BUCKET_SHIFT + 2), 0, true);
    }

    @Test
    @DisplayName("the same for step ends spread over many buckets, beyond the ring and at the end of the time line")
    void stepEndsMergeFarApart() {
        randomAgainstSort(3L << (Calendar.BUCKET_SHIFT + 11), 200, true);
    }

    @Test
    @DisplayName("a step end at the head shows its generation and level, and dropHead removes it without its record")
    void stepEndAtTheHead() {
        calendar.addStepEnd(1, ContextLevel.SOFTIRQ, 3, 50, 77);
        calendar.add(1, ContextLevel.SOFTIRQ, 3, event(50, 1));
        calendar.add(0, ContextLevel.USER, 0, event(60, 2));

        assertEquals(true, calendar.headIsStepEnd(), "the step end came first among equal keys");
        assertEquals(77, calendar.headGen(), "its generation");
        assertEquals(ContextLevel.SOFTIRQ, calendar.headLevel(), "its level");
        assertEquals(1, calendar.headCpu(), "its CPU");
        calendar.dropHead();
        assertEquals(false, calendar.headIsStepEnd(), "then the event of the same keys");
        assertEquals(List.of(1L, 2L), drainLabels(), "the rest in order");
    }

    /** Adds at now + [0, spread) and, one in {@code farOneIn}, near the largest time; polls in between. */
    private void randomAgainstSort(long spread, int farOneIn, boolean stepEnds) {
        record Key(long time, int cpu, int rank, int source, long label) {
        }
        Comparator<Key> order = Comparator.comparingLong(Key::time).thenComparingInt(Key::cpu)
                .thenComparingInt(Key::rank).thenComparingInt(Key::source).thenComparingLong(Key::label);
        Random random = new Random(5);
        int[] sources = {Integer.MIN_VALUE, -66, -2, -1, 0, 1, 7, Integer.MAX_VALUE};
        java.util.PriorityQueue<Key> reference = new java.util.PriorityQueue<>(order);
        List<Long> expected = new ArrayList<>();
        List<Long> actual = new ArrayList<>();
        long label = 0;
        long now = 0;
        for (int step = 0; step < 20_000; step++) {
            if (random.nextInt(3) > 0 || reference.isEmpty()) {
                ContextLevel level = ContextLevel.values()[random.nextInt(ContextLevel.values().length)];
                long time = farOneIn > 0 && random.nextInt(farOneIn) == 0 ? Long.MAX_VALUE - random.nextInt(3)
                        : now + (long) (random.nextDouble() * spread);
                Key k = new Key(time, random.nextInt(64), level.mailboxPriority(),
                        sources[random.nextInt(sources.length)], label++);
                reference.add(k);
                if (stepEnds && random.nextBoolean()) {
                    calendar.addStepEnd(k.cpu(), level, k.source(), k.time(), k.label());
                } else {
                    calendar.add(k.cpu(), level, k.source(), event(k.time(), k.label()));
                }
            } else {
                Key k = reference.poll();
                now = k.time();
                expected.add(k.label());
                Calendar.Entry e = calendar.poll();
                if (e.event() instanceof Cpu.StepDone d) {
                    assertEquals(List.of(k.time(), (long) k.rank()), List.of(d.time(), (long) d.level().mailboxPriority()),
                            "a step end comes out as its record, with its time and level");
                    actual.add(d.gen());
                } else {
                    actual.add(((Cpu.Tick) e.event()).gen());
                }
                assertEquals(List.of(k.time(), (long) k.cpu(), (long) k.rank(), (long) k.source()),
                        List.of(e.time(), (long) e.cpu(), (long) e.levelRank(), (long) e.source()), "the entry shows its keys");
            }
        }
        assertEquals(expected, actual, "the heap gives the reference order");
    }

    @Test
    @DisplayName("peek shows the next entry without removing it; an empty calendar answers null")
    void peekAndSize() {
        Cpu.Event e = event(10, 1);
        calendar.add(2, ContextLevel.SOFTIRQ, 4, e);

        Calendar.Entry head = calendar.peek();
        assertSame(e, head.event(), "the entry carries the event");
        assertEquals(10, head.time(), "its time is the event's time");
        assertEquals(2, head.cpu(), "its CPU");
        assertEquals(ContextLevel.SOFTIRQ.mailboxPriority(), head.levelRank(), "its level rank");
        assertEquals(1, calendar.size(), "peek does not remove");
        calendar.poll();
        assertNull(calendar.peek(), "empty calendar peeks null");
        assertNull(calendar.poll(), "empty calendar polls null");
    }
}
