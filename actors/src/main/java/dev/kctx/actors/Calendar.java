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
 * <p>Step ends ({@link Cpu.StepDone}, about three polled events in four on the standard workload,
 * most of them made stale by a preemption before they come up) are kept as primitives: their
 * generation sits beside the keys and the event slot stays null, so posting one allocates nothing
 * ({@link #addStepEnd}; a record given to {@link #add} is kept the same way) and the machine can
 * drop a stale one without ever making its record ({@link #headIsStepEnd()},
 * {@link #headGen()}, {@link #dropHead()}); {@link #pollEvent()} makes the record when asked.
 *
 * <p>A {@link Perturbation.CpuOrder}, when given, replaces the CPU in the key by the CPU's turn at
 * the event's instant (a permutation of the CPUs, the same for every event of that instant): the
 * CPUs of a round then come in that order. Without one the key is the CPU itself.
 */
final class Calendar {
    /** One pending event with its ordering keys, as {@link #peek()} and {@link #poll()} show it. */
    record Entry(long time, int cpu, int levelRank, int source, long seq, Cpu.Event event) {
    }

    private static final ContextLevel[] BY_RANK = new ContextLevel[ContextLevel.values().length];

    static {
        for (ContextLevel l : ContextLevel.values()) {
            BY_RANK[l.mailboxPriority()] = l;
        }
    }

    private long[] times = new long[64];
    private long[] keys = new long[64];
    private long[] seqs = new long[64];
    /** A step end's generation where {@code events} holds null; unused otherwise. */
    private long[] gens = new long[64];
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
    /**
     * The ring's slots, unsorted; a slot holds every bucket congruent to it modulo the ring. An
     * entry's four words (time, key, sequence, generation) sit side by side in {@code slotKeys}, its
     * event (null for a step end) in {@code slotEvents}, and {@code fill} counts a slot's entries.
     */
    private final long[][] slotKeys = new long[SLOTS][];
    private final Cpu.Event[][] slotEvents = new Cpu.Event[SLOTS][];
    private final int[] fill = new int[SLOTS];
    private int farSize;

    /** cpu (non-negative), level rank (0..7) and source (any int, sign flipped to sort as unsigned). */
    private static long key(int cpu, int levelRank, int source) {
        return ((long) cpu << 35) | ((long) levelRank << 32) | ((source ^ Integer.MIN_VALUE) & 0xFFFF_FFFFL);
    }

    private static boolean before(long t1, long k1, long s1, long t2, long k2, long s2) {
        return t1 != t2 ? t1 < t2 : k1 != k2 ? k1 < k2 : s1 < s2;
    }

    void add(int cpu, ContextLevel level, int source, Cpu.Event event) {
        if (event == null) {
            throw new IllegalArgumentException("no event");
        }
        if (event instanceof Cpu.StepDone d && d.level() == level) {
            // kept as primitives whoever posts it (a CPU actor posts records), so a stale one can be dropped unmade
            insert(cpu, level, source, d.time(), null, d.gen());
        } else {
            insert(cpu, level, source, event.time(), event, 0);
        }
    }

    /** The end of a step of generation {@code gen} at {@code time}: a {@link Cpu.StepDone}, without its record. */
    void addStepEnd(int cpu, ContextLevel level, int source, long time, long gen) {
        insert(cpu, level, source, time, null, gen);
    }

    private void insert(int cpu, ContextLevel level, int source, long t, Cpu.Event event, long gen) {
        if (cpu < 0) {
            throw new IllegalArgumentException("no CPU " + cpu);
        }
        long k = key(order == null ? cpu : order.rank(cpu, t), level.mailboxPriority(), source);
        long s = seq++;
        if (t < horizon) {
            push(t, k, s, gen, event);
        } else {
            addFar(t, k, s, gen, event);
        }
    }

    private void addFar(long t, long k, long s, long g, Cpu.Event e) {
        int slot = (int) (t >>> BUCKET_SHIFT) & (SLOTS - 1);
        int n = fill[slot];
        long[] ks = slotKeys[slot];
        Cpu.Event[] es = slotEvents[slot];
        if (ks == null) {
            ks = slotKeys[slot] = new long[4 * 16];
            es = slotEvents[slot] = new Cpu.Event[16];
        } else if (n == es.length) {
            ks = slotKeys[slot] = Arrays.copyOf(ks, 8 * n);
            es = slotEvents[slot] = Arrays.copyOf(es, 2 * n);
        }
        int i = 4 * n;
        ks[i] = t;
        ks[i + 1] = k;
        ks[i + 2] = s;
        ks[i + 3] = g;
        es[n] = e;
        fill[slot] = n + 1;
        farSize++;
    }

    private void push(long t, long k, long s, long g, Cpu.Event event) {
        if (size == times.length) {
            int n = size * 2;
            times = Arrays.copyOf(times, n);
            keys = Arrays.copyOf(keys, n);
            seqs = Arrays.copyOf(seqs, n);
            gens = Arrays.copyOf(gens, n);
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
        put(i, t, k, s, g, event);
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
        for (int slot = 0; slot < SLOTS; slot++) {
            long[] ks = slotKeys[slot];
            for (int j = 0; j < fill[slot]; j++) {
                min = Math.min(min, ks[4 * j]);
            }
        }
        drain(min >>> BUCKET_SHIFT);
    }

    /** Moves the entries of absolute bucket {@code bucket} into the heap; true when there were any. */
    private boolean drain(long bucket) {
        int slot = (int) bucket & (SLOTS - 1);
        int n = fill[slot];
        if (n == 0) {
            return false;
        }
        long[] ks = slotKeys[slot];
        Cpu.Event[] es = slotEvents[slot];
        int kept = 0;
        for (int j = 0; j < n; j++) {
            int i = 4 * j;
            long t = ks[i];
            if (t >>> BUCKET_SHIFT == bucket) {
                push(t, ks[i + 1], ks[i + 2], ks[i + 3], es[j]);
            } else {
                int to = 4 * kept;
                ks[to] = t;
                ks[to + 1] = ks[i + 1];
                ks[to + 2] = ks[i + 2];
                ks[to + 3] = ks[i + 3];
                es[kept] = es[j];
                kept++;
            }
        }
        int moved = n - kept;
        Arrays.fill(es, kept, n, null);
        fill[slot] = kept;
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

    /** True when the first event is a step end kept without its record; only when not empty. */
    boolean headIsStepEnd() {
        refill();
        return events[0] == null;
    }

    /** The generation of the first event, a step end; only when {@link #headIsStepEnd()}. */
    long headGen() {
        return gens[0];
    }

    /** The context level of the first event; only when not empty. */
    ContextLevel headLevel() {
        return BY_RANK[(int) ((keys[0] >>> 32) & 7)];
    }

    /** Removes the first event and returns it (a step end's record made now), or null when empty. */
    Cpu.Event pollEvent() {
        refill();
        if (size == 0) {
            return null;
        }
        Cpu.Event head = event(0);
        dropHead();
        return head;
    }

    /** Removes the first event without making its record; only when not empty. */
    void dropHead() {
        int last = --size;
        long t = times[last];
        long k = keys[last];
        long s = seqs[last];
        long g = gens[last];
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
            put(i, t, k, s, g, e);
        }
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
        dropHead();
        return head;
    }

    int size() {
        return size + farSize;
    }

    /** The event at heap index {@code i}, a step end's record made from its primitives. */
    private Cpu.Event event(int i) {
        Cpu.Event e = events[i];
        return e != null ? e : new Cpu.StepDone(times[i], gens[i], BY_RANK[(int) ((keys[i] >>> 32) & 7)]);
    }

    private Entry entry(int i) {
        long k = keys[i];
        int turn = (int) (k >>> 35);
        return new Entry(times[i], order == null ? turn : order.cpu(turn, times[i]), (int) ((k >>> 32) & 7), (int) k ^ Integer.MIN_VALUE, seqs[i], event(i));
    }

    private void move(int from, int to) {
        times[to] = times[from];
        keys[to] = keys[from];
        seqs[to] = seqs[from];
        gens[to] = gens[from];
        events[to] = events[from];
    }

    private void put(int i, long t, long k, long s, long g, Cpu.Event e) {
        times[i] = t;
        keys[i] = k;
        seqs[i] = s;
        gens[i] = g;
        events[i] = e;
    }
}
