package dev.kctx.actors;

import dev.kctx.contexts.ContextLevel;

import java.util.Arrays;

/**
 * The machine's pending events, ordered by (time, cpu, context level from HARDIRQ down, source
 * id, sequence). The sequence is the insertion order, which is itself deterministic because rounds
 * are processed in a fixed order; it breaks the remaining ties the way a per-source counter would.
 *
 * <p>A 4-ary heap over parallel primitive arrays: every event passes through it, and a heap of
 * entry objects compared by a chain of comparators was the engine's hottest code. (cpu, level,
 * source) are packed into one long whose order is theirs, so an entry compares as three longs.
 * Four children per node halve the levels a poll walks down (the calendar holds thousands of
 * entries: each preempted step leaves its stale end behind).
 *
 * <p>A {@link Perturbation.CpuOrder}, when given, replaces the CPU in the key by the CPU's turn at
 * the event's instant (a permutation of the CPUs, the same for every event of that instant): the
 * CPUs of a round then come in that order. Without one the key is the CPU itself.
 */
final class Calendar {
    /** One pending event with its ordering keys, as {@link #peek()} and {@link #poll()} show it. */
    record Entry(long time, int cpu, int levelRank, int source, long seq, Cpu.Event event) {
    }

    private long[] times = new long[64];
    private long[] keys = new long[64];
    private long[] seqs = new long[64];
    private Cpu.Event[] events = new Cpu.Event[64];
    private int size;
    private long seq;
    /** The explored turn order of the CPUs, or null for ascending CPU numbers. */
    private final Perturbation.CpuOrder order;

    Calendar() {
        this(null);
    }

    Calendar(Perturbation.CpuOrder order) {
        this.order = order;
    }

    /** cpu (non-negative), level rank (0..7) and source (any int, sign flipped to sort as unsigned). */
    private static long key(int cpu, int levelRank, int source) {
        return ((long) cpu << 35) | ((long) levelRank << 32) | ((source ^ Integer.MIN_VALUE) & 0xFFFF_FFFFL);
    }

    private static boolean before(long t1, long k1, long s1, long t2, long k2, long s2) {
        return t1 != t2 ? t1 < t2 : k1 != k2 ? k1 < k2 : s1 < s2;
    }

    void add(int cpu, ContextLevel level, int source, Cpu.Event event) {
        if (cpu < 0) {
            throw new IllegalArgumentException("no CPU " + cpu);
        }
        if (size == times.length) {
            int n = size * 2;
            times = Arrays.copyOf(times, n);
            keys = Arrays.copyOf(keys, n);
            seqs = Arrays.copyOf(seqs, n);
            events = Arrays.copyOf(events, n);
        }
        long t = event.time();
        long k = key(order == null ? cpu : order.rank(cpu, t), level.mailboxPriority(), source);
        long s = seq++;
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            if (!before(t, k, s, times[parent], keys[parent], seqs[parent])) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        put(i, t, k, s, event);
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The time of the first event; only when not empty. */
    long headTime() {
        return times[0];
    }

    /** The CPU of the first event; only when not empty. */
    int headCpu() {
        int first = (int) (keys[0] >>> 35);
        return order == null ? first : order.cpu(first, times[0]);
    }

    /** Removes the first event and returns it, or null when empty. */
    Cpu.Event pollEvent() {
        if (size == 0) {
            return null;
        }
        Cpu.Event head = events[0];
        int last = --size;
        long t = times[last];
        long k = keys[last];
        long s = seqs[last];
        Cpu.Event e = events[last];
        events[last] = null;
        if (last > 0) {
            int i = 0;
            while (true) {
                int first = 4 * i + 1;
                if (first >= last) {
                    break;
                }
                int child = first;
                int end = Math.min(first + 4, last);
                for (int c = first + 1; c < end; c++) {
                    if (before(times[c], keys[c], seqs[c], times[child], keys[child], seqs[child])) {
                        child = c;
                    }
                }
                if (!before(times[child], keys[child], seqs[child], t, k, s)) {
                    break;
                }
                move(child, i);
                i = child;
            }
            put(i, t, k, s, e);
        }
        return head;
    }

    Entry peek() {
        return size == 0 ? null : entry(0);
    }

    Entry poll() {
        if (size == 0) {
            return null;
        }
        Entry head = entry(0);
        pollEvent();
        return head;
    }

    int size() {
        return size;
    }

    private Entry entry(int i) {
        long k = keys[i];
        int turn = (int) (k >>> 35);
        return new Entry(times[i], order == null ? turn : order.cpu(turn, times[i]), (int) ((k >>> 32) & 7), (int) k ^ Integer.MIN_VALUE, seqs[i], events[i]);
    }

    private void move(int from, int to) {
        times[to] = times[from];
        keys[to] = keys[from];
        seqs[to] = seqs[from];
        events[to] = events[from];
    }

    private void put(int i, long t, long k, long s, Cpu.Event e) {
        times[i] = t;
        keys[i] = k;
        seqs[i] = s;
        events[i] = e;
    }
}
