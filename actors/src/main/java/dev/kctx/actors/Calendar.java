package dev.kctx.actors;

import dev.kctx.contexts.ContextLevel;

import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * The machine's pending events, ordered by (time, cpu, context level from HARDIRQ down, source
 * id, sequence). The sequence is the insertion order, which is itself deterministic because rounds
 * are processed in a fixed order; it breaks the remaining ties the way a per-source counter would.
 */
final class Calendar {
    record Entry(long time, int cpu, int levelRank, int source, long seq, Cpu.Event event) {
    }

    private static final Comparator<Entry> ORDER = Comparator.comparingLong(Entry::time)
            .thenComparingInt(Entry::cpu)
            .thenComparingInt(Entry::levelRank)
            .thenComparingInt(Entry::source)
            .thenComparingLong(Entry::seq);

    private final PriorityQueue<Entry> queue = new PriorityQueue<>(ORDER);
    private long seq;

    void add(int cpu, ContextLevel level, int source, Cpu.Event event) {
        queue.add(new Entry(event.time(), cpu, level.mailboxPriority(), source, seq++, event));
    }

    Entry peek() {
        return queue.peek();
    }

    Entry poll() {
        return queue.poll();
    }

    int size() {
        return queue.size();
    }
}
