package dev.kctx.actors.program;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Work the kernel itself arms for a soft IRQ vector of one CPU at a virtual instant: a timer_list
 * callback (TIMER_SOFTIRQ: a delayed work's delayed_work_timer_fn, kernel/workqueue.c) or RCU's own
 * work (RCU_SOFTIRQ: the grace-period check and the callbacks of rcu_do_batch, kernel/rcu/tree.c).
 * When the instant comes the CPU takes it as the local timer interrupt would (when IRQs are on),
 * raises the vector, and the vector's handler runs what is due there, in soft IRQ context, before
 * any handler a scenario declares for that vector.
 *
 * <p>Nothing is armed unless a body uses such a call, so a machine that does not adds no event to
 * its calendar. Entries of one instant run in the order armed.
 */
public final class SoftirqTimers {
    /** The vectors whose handler starts with the armed work. */
    public static final List<SoftirqVector> VECTORS = List.of(SoftirqVector.TIMER, SoftirqVector.RCU);

    /** One armed entry: {@code key} names it for cancelling (null: cannot be cancelled). */
    private record Entry(int cpu, SoftirqVector vector, long at, String key, List<Op> ops) {
    }

    private final List<Entry> armed = new ArrayList<>();

    private SoftirqTimers() {
    }

    public static SoftirqTimers of(KernelObjects k) {
        return k.extension(SoftirqTimers.class, SoftirqTimers::new);
    }

    /**
     * Arms {@code ops} to run in {@code vector}'s soft IRQ on {@code cpu} at virtual time {@code at}
     * (not before now); {@code key}, if not null, replaces an entry armed under the same key.
     */
    public static void arm(Exec x, int cpu, long at, SoftirqVector vector, String key, List<Op> ops) {
        if (!VECTORS.contains(vector)) {
            throw new IllegalArgumentException("no armed work runs in " + vector);
        }
        SoftirqTimers t = of(x.kernel());
        if (key != null) {
            t.cancel(key);
        }
        long when = Math.max(at, x.now());
        t.armed.add(new Entry(cpu, vector, when, key, List.copyOf(ops)));
        x.softirqTimer(cpu, when, vector);
    }

    /** del_timer: removes the entry armed under {@code key}; true when there was one. */
    public boolean cancel(String key) {
        return armed.removeIf(e -> key.equals(e.key()));
    }

    /** True while an entry is armed under {@code key}. */
    public boolean armed(String key) {
        return armed.stream().anyMatch(e -> key.equals(e.key()));
    }

    /** True when something armed for {@code vector} on {@code cpu} is due at {@code now}. */
    public static boolean due(KernelObjects k, int cpu, SoftirqVector vector, long now) {
        SoftirqTimers t = k.existing(SoftirqTimers.class);
        if (t == null) {
            return false;
        }
        for (Entry e : t.armed) {
            if (e.cpu() == cpu && e.vector() == vector && e.at() <= now) {
                return true;
            }
        }
        return false;
    }

    /** The handlers of the machine's vectors with the armed work first (a vector without a declared handler gets one). */
    public static Map<SoftirqVector, Program> withArmedWork(Map<SoftirqVector, Program> declared) {
        Map<SoftirqVector, Program> m = new EnumMap<>(SoftirqVector.class);
        m.putAll(declared);
        for (SoftirqVector v : VECTORS) {
            Program p = declared.get(v);
            List<Op> ops = new ArrayList<>();
            ops.add(new RunDue(v));
            if (p != null) {
                ops.addAll(p.ops());
            }
            m.put(v, new Program(ops, p == null ? 1 : p.repeat()));
        }
        return m;
    }

    /** The armed work due on this CPU for {@code vector}, earliest first: it runs next, inline. */
    record RunDue(SoftirqVector vector) implements Op {
        public Outcome execute(Exec x) {
            SoftirqTimers t = x.kernel().existing(SoftirqTimers.class);
            if (t == null) {
                return Outcome.Next.INSTANCE;
            }
            List<Entry> due = new ArrayList<>();
            for (Iterator<Entry> it = t.armed.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.cpu() == x.cpu() && e.vector() == vector && e.at() <= x.now()) {
                    due.add(e);
                    it.remove();
                }
            }
            if (due.isEmpty()) {
                return Outcome.Next.INSTANCE;
            }
            due.sort((a, b) -> Long.compare(a.at(), b.at()));
            List<Op> ops = new ArrayList<>();
            due.forEach(e -> ops.addAll(e.ops()));
            return new Outcome.Inline(ops);
        }

        public String describe() {
            return vector == SoftirqVector.RCU ? "rcu_core" : "run_timer_softirq";
        }

        public boolean traced() {
            return false;
        }
    }
}
