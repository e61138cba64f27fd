package dev.kctx.actors;

import dev.kctx.contexts.ContextLevel;

import java.util.Arrays;

/**
 * The machine's pending events, ordered by (time, cpu, context level from HARDIRQ down, source
 * id, sequence). The sequence is the insertion order, which is itself deterministic because rounds
 * are processed in a fixed order; it breaks the remaining ties the way a per-source counter would.
 *
 * <p>Two tiers, because every event passes through here and most of what waits is far ahead (each
 * preempted step leaves its end behind, up to a CPU-bound step's length away). Events before the
 * {@code horizon} live in a 4-ary heap over parallel primitive arrays ((cpu, level, source) packed
 * into one long whose order is theirs, so an entry compares as three longs); later ones wait
 * unsorted in a ring of time buckets of {@value #BUCKET_SHIFT}-bit width, the classic calendar
 * queue (R. Brown, "Calendar queues", CACM 31(10), 1988). When the heap runs dry, the next
 * bucket that holds anything moves into it and the horizon moves to that bucket's end. The heap
 * stays a few dozen entries deep instead of a thousand, and the order is the heap's, total, as
 * before: the buckets never decide an order, they only defer the sorting.
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

    /** log2 of a bucket's width in ns (131 us: a few IRQ periods of the standard workload). */
    static final int BUCKET_SHIFT = 17;
    /** Buckets in the ring (a power of two); the ring spans 134 ms, beyond a CPU-bound step. */
    private static final int SLOTS = 1024;
    /** Every heap entry is before it, every bucket entry at or after it; a bucket boundary. */
    private long horizon = 1L << BUCKET_SHIFT;
    private final Bucket[] slots = new Bucket[SLOTS];
    private int farSize;

    /**
     * The entries of one ring slot, unsorted; a slot holds every bucket congruent to it modulo the
     * ring. An entry's three keys sit side by side: an add touches two arrays, not four.
     */
    private static final class Bucket {
        long[] keys = new long[3 * 16];
        Cpu.Event[] events = new Cpu.Event[16];
        int n;

        void add(long t, long k, long s, Cpu.Event e) {
            if (n == events.length) {
                keys = Arrays.copyOf(keys, 6 * n);
                events = Arrays.copyOf(events, 2 * n);
            }
            int i = 3 * n;
            keys[i] = t;
            keys[i + 1] = k;
            keys[i + 2] = s;
            events[n++] = e;
        }
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
        long t = event.time();
        long k = key(order == null ? cpu : order.rank(cpu, t), level.mailboxPriority(), source);
        long s = seq++;
        if (t < horizon) {
            push(t, k, s, event);
        } else {
            int slot = (int) (t >>> BUCKET_SHIFT) & (SLOTS - 1);
            Bucket b = slots[slot];
            if (b == null) {
                b = slots[slot] = new Bucket();
            }
            b.add(t, k, s, event);
            farSize++;
        }
    }

    private void push(long t, long k, long s, Cpu.Event event) {
        if (size == times.length) {
            int n = size * 2;
            times = Arrays.copyOf(times, n);
            keys = Arrays.copyOf(keys, n);
            seqs = Arrays.copyOf(seqs, n);
            events = Arrays.copyOf(events, n);
        }
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

    /**
     * When the heap is empty and buckets are not: moves the first bucket holding anything into the
     * heap. Buckets are visited from the horizon on; a full turn of the ring without one means the
     * next event is more than a ring away, and its bucket is found directly.
     */
    private void refill() {
        if (size > 0 || farSize == 0) {
            return;
        }
        long first = horizon >>> BUCKET_SHIFT;
        for (int i = 0; i < SLOTS; i++) {
            if (drain(first + i)) {
                return;
            }
        }
        long min = Long.MAX_VALUE;
        for (Bucket b : slots) {
            if (b != null) {
                for (int j = 0; j < b.n; j++) {
                    min = Math.min(min, b.keys[3 * j]);
                }
            }
        }
        drain(min >>> BUCKET_SHIFT);
    }

    /** Moves the entries of absolute bucket {@code bucket} into the heap; true when there were any. */
    private boolean drain(long bucket) {
        Bucket b = slots[(int) bucket & (SLOTS - 1)];
        if (b == null || b.n == 0) {
            return false;
        }
        int kept = 0;
        long[] keys = b.keys;
        for (int j = 0; j < b.n; j++) {
            long t = keys[3 * j];
            if (t >>> BUCKET_SHIFT == bucket) {
                push(t, keys[3 * j + 1], keys[3 * j + 2], b.events[j]);
            } else {
                keys[3 * kept] = t;
                keys[3 * kept + 1] = keys[3 * j + 1];
                keys[3 * kept + 2] = keys[3 * j + 2];
                b.events[kept] = b.events[j];
                kept++;
            }
        }
        int moved = b.n - kept;
        Arrays.fill(b.events, kept, b.n, null);
        b.n = kept;
        if (moved == 0) {
            return false;
        }
        farSize -= moved;
        // the last bucket of the time line has no end: everything goes to the heap from then on
        horizon = bucket >= Long.MAX_VALUE >>> BUCKET_SHIFT ? Long.MAX_VALUE : (bucket + 1) << BUCKET_SHIFT;
        return true;
    }

    boolean isEmpty() {
        refill();
        return size == 0;
    }

    /** The time of the first event; only when not empty. */
    long headTime() {
        refill();
        return times[0];
    }

    /** The CPU of the first event; only when not empty. */
    int headCpu() {
        refill();
        int first = (int) (keys[0] >>> 35);
        return order == null ? first : order.cpu(first, times[0]);
    }

    /** Removes the first event and returns it, or null when empty. */
    Cpu.Event pollEvent() {
        refill();
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
        refill();
        return size == 0 ? null : entry(0);
    }

    Entry poll() {
        refill();
        if (size == 0) {
            return null;
        }
        Entry head = entry(0);
        pollEvent();
        return head;
    }

    int size() {
        return size + farSize;
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
