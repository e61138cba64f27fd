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

    /** Written out rather than chained comparators: this comparison is the engine's hottest code. */
    private static final Comparator<Entry> ORDER = (a, b) -> {
        if (a.time != b.time) {
            return Long.compare(a.time, b.time);
        }
        if (a.cpu != b.cpu) {
            return Integer.compare(a.cpu, b.cpu);
        }
        if (a.levelRank != b.levelRank) {
            return Integer.compare(a.levelRank, b.levelRank);
        }
        if (a.source != b.source) {
            return Integer.compare(a.source, b.source);
        }
        return Long.compare(a.seq, b.seq);
    };

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
