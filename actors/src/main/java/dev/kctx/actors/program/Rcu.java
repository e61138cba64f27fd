package dev.kctx.actors.program;

import dev.kctx.contexts.AtomicState;
import dev.kctx.contexts.KernelCall;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * RCU's grace periods and callbacks (kernel/rcu/tree.c, Linux 6.6), machine-wide.
 *
 * <p>A grace period starts when synchronize_rcu or call_rcu needs one and none is running
 * (rcu_gp_kthread's rcu_gp_init); the readers open at that instant, in any flavour (rcu_read_lock,
 * _bh, _sched: one consolidated RCU since 4.20), are its holdouts. Every other context already is in
 * a quiescent state (a CPU that is idle, in user mode, or between readers). The grace period ends at
 * the first check after the last holdout has left its read-side critical section: checks come every
 * jiffy (HZ=1000) from the grace period's start, in RCU_SOFTIRQ on the CPU that started it, which is
 * where the kernel notices quiescent states (rcu_sched_clock_irq at the tick, rcu_core in the soft
 * IRQ; rcu_gp_fqs_loop's force-quiescent-state scans every jiffies_till_first_fqs/next_fqs). A grace
 * period without holdouts therefore takes one jiffy, as kctx's fixed grace period did before.
 * A request made while one runs is served by the next (a callback queued during a grace period needs
 * a full one that starts after it: rcu_segcblist_accelerate), which starts as the current one ends.
 *
 * <p>call_rcu queues a callback on the calling CPU; after its grace period rcu_do_batch invokes it
 * there, in RCU_SOFTIRQ (soft IRQ context: it must not sleep). rcu_barrier waits until every callback
 * queued before it has been invoked.
 *
 * <p>Simplifications, said plainly: only explicit RCU readers hold a grace period up (the kernel also
 * waits for preempt-, IRQ- and bh-disabled regions, implicit RCU-sched readers); a reader that
 * sleeps without preemptible RCU (already reported: scheduling while atomic) holds it until it
 * leaves, where the kernel's context switch would report a quiescent state; expedited grace periods,
 * callback batching limits (blimit) and offloaded callbacks are not modelled.
 */
public final class Rcu {
    /** One jiffy at HZ=1000: the interval between grace-period checks. */
    public static final long CHECK_NS = 1_000_000L;

    /** One queued callback: {@code needs} is the grace period it waits for. */
    private record Callback(long id, int cpu, long needs, String func, List<Op> body) {
    }

    private record Waiter(long needs, WaitHandle handle) {
    }

    private record BarrierWaiter(long upTo, WaitHandle handle) {
    }

    /** Contexts (by their preempt-count state) inside a read-side critical section now. */
    private final Set<AtomicState> readers = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Readers, in the order they entered, that the running grace period waits for. */
    private final Set<AtomicState> holdouts = Collections.newSetFromMap(new IdentityHashMap<>());
    private long started;
    private long completed;
    private boolean running;
    private boolean nextRequested;
    private int gpCpu;
    private long nextCallbackId = 1;
    private final List<Callback> callbacks = new ArrayList<>();
    private final Set<Long> notInvoked = new LinkedHashSet<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final List<BarrierWaiter> barriers = new ArrayList<>();

    private Rcu() {
    }

    public static Rcu of(KernelObjects k) {
        return k.extension(Rcu.class, Rcu::new);
    }

    /** The grace periods completed so far. */
    public long completed() {
        return completed;
    }

    /** True while a grace period runs. */
    public boolean running() {
        return running;
    }

    /**
     * After rcu_read_lock* / rcu_read_unlock*: the context enters the reader set at its outermost
     * lock and leaves it (and the holdouts of the running grace period) at its outermost unlock.
     */
    static void readerChanged(Exec x) {
        AtomicState a = x.atomic();
        boolean inside = a.rcuDepth() > 0 || a.rcuBhDepth() > 0 || a.rcuSchedDepth() > 0;
        Rcu r = inside ? of(x.kernel()) : x.kernel().existing(Rcu.class);
        if (r == null) {
            return;
        }
        if (inside) {
            r.readers.add(a);
        } else {
            r.readers.remove(a);
            r.holdouts.remove(a);
        }
    }

    /** Asks for a grace period that starts from now or later; answers its number. */
    private long request(Exec x) {
        if (!running) {
            start(x);
            return started;
        }
        nextRequested = true;
        return started + 1;
    }

    private void start(Exec x) {
        started++;
        running = true;
        nextRequested = false;
        gpCpu = x.cpu();
        holdouts.clear();
        holdouts.addAll(readers);
        x.trace("rcu_grace_period", name(x) + " " + started + " start");
        arm(x);
    }

    private void arm(Exec x) {
        SoftirqTimers.arm(x, gpCpu, x.now() + CHECK_NS, SoftirqVector.RCU, null, List.of(new GpCheck()));
    }

    private static String name(Exec x) {
        return x.atomic().preemptibleRcu() ? "rcu_preempt" : "rcu_sched";
    }

    /** synchronize_rcu's wait: true when grace period {@code needs} is over. */
    boolean over(long needs) {
        return completed >= needs;
    }

    /** rcu_gp_fqs_loop / rcu_gp_cleanup, at a check in RCU_SOFTIRQ. */
    record GpCheck() implements Op {
        public Outcome execute(Exec x) {
            Rcu r = of(x.kernel());
            if (!r.holdouts.isEmpty()) {
                r.arm(x);
                return Outcome.Next.INSTANCE;
            }
            r.running = false;
            r.completed = r.started;
            x.trace("rcu_grace_period", name(x) + " " + r.completed + " end");
            for (Iterator<Waiter> it = r.waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (w.needs() <= r.completed) {
                    it.remove();
                    x.wake(w.handle());
                }
            }
            for (Iterator<Callback> it = r.callbacks.iterator(); it.hasNext(); ) {
                Callback c = it.next();
                if (c.needs() <= r.completed) {
                    it.remove();
                    List<Op> ops = new ArrayList<>();
                    ops.add(new Invoke(c.id(), c.func(), true));
                    ops.addAll(c.body());
                    ops.add(new Invoke(c.id(), c.func(), false));
                    SoftirqTimers.arm(x, c.cpu(), x.now(), SoftirqVector.RCU, null, ops);
                }
            }
            if (r.nextRequested || !r.callbacks.isEmpty()) {
                r.start(x);
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "rcu_gp_cleanup";
        }

        public boolean traced() {
            return false;
        }
    }

    /** rcu_do_batch around one callback: the rcu_invoke_callback trace before it, the barrier's count after it. */
    record Invoke(long id, String func, boolean before) implements Op {
        public Outcome execute(Exec x) {
            if (before) {
                x.trace("rcu_invoke_callback", name(x) + " rhp=" + func + "#" + id + " func=" + func);
                return Outcome.Next.INSTANCE;
            }
            Rcu r = of(x.kernel());
            r.notInvoked.remove(id);
            long oldest = r.notInvoked.isEmpty() ? Long.MAX_VALUE : r.notInvoked.iterator().next();
            for (Iterator<BarrierWaiter> it = r.barriers.iterator(); it.hasNext(); ) {
                BarrierWaiter b = it.next();
                if (b.upTo() < oldest) {
                    it.remove();
                    x.wake(b.handle());
                }
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return before ? func + "() [rcu callback]" : func + "() done";
        }

        public boolean traced() {
            return false;
        }
    }

    /**
     * synchronize_rcu() (kernel/rcu/tree.c, Linux 6.6). In order: lockdep-RCU's RCU_LOCKDEP_WARN
     * "Illegal synchronize_rcu() in RCU read-side critical section" when any RCU reader is open
     * (lockdep_rcu_suspicious, once per boot as its static __warned flag makes it); rcu_blocking_is_gp's
     * might_sleep(); then wait_rcu_gp: wait_for_completion, in D, until a grace period that started
     * after the call has ended (see {@link Rcu}: at least one jiffy, longer while readers that were
     * open when it started stay inside).
     */
    public record Synchronize() implements Op {
        /** Which grace period a caller waits for (per task: the op is shared). */
        static final class Needs {
            long gp;
        }

        public Outcome execute(Exec x) {
            Rcu r = of(x.kernel());
            Needs n = x.taskContext() ? x.taskLocal(Needs.class, Needs::new) : new Needs();
            if (!x.retrying()) {
                var a = x.atomic();
                // lock_is_held(&rcu_bh_lock_map) || lock_is_held(&rcu_lock_map) || lock_is_held(&rcu_sched_lock_map)
                boolean reader = a.rcuDepth() > 0 || a.rcuBhDepth() > 0 || a.rcuSchedDepth() > 0;
                if (reader && x.kernel().warnOnce("kernel/rcu/tree.c synchronize_rcu")) {
                    x.report(dev.kctx.contexts.ReportKind.SUSPICIOUS_RCU_USAGE,
                            dev.kctx.contexts.ReportKind.SUSPICIOUS_RCU_USAGE.title(), describe(), List.of(
                                    "kernel/rcu/tree.c: Illegal synchronize_rcu() in RCU read-side critical section!",
                                    "rcu_scheduler_active = 2, debug_locks = 1",
                                    "RCU readers: rcu " + a.rcuDepth() + ", rcu_bh " + a.rcuBhDepth() + ", rcu_sched "
                                            + a.rcuSchedDepth()));
                }
                x.check(KernelCall.SYNCHRONIZE_RCU, this);
                n.gp = r.request(x);
                if (!x.taskContext()) {
                    // An interrupt cannot wait: the gate has reported it; the grace period runs on without it.
                    return Outcome.Next.INSTANCE;
                }
            }
            if (r.over(n.gp)) {
                return Outcome.Next.INSTANCE;
            }
            if (!x.atomic().preemptibleRcu()) {
                // Without preemptible RCU the caller's own context switch is its quiescent state
                // (rcu_note_context_switch -> rcu_qs), even inside a reader: the bug is reported, the GP goes on.
                r.holdouts.remove(x.atomic());
            }
            r.waiters.add(new Waiter(n.gp, x.waitHandle()));
            // wait_for_completion: the grace period has not ended yet, so the caller schedules away.
            x.check(KernelCall.SCHEDULE, this);
            return new Outcome.Block("rcu_gp", 'D');
        }

        public String describe() {
            return "synchronize_rcu()";
        }
    }

    /**
     * call_rcu(head, func) (kernel/rcu/tree.c __call_rcu_common): legal in any context, never sleeps;
     * queues {@code body} on this CPU's callback list for the next grace period, which it starts if
     * none runs. After it, rcu_do_batch runs {@code body} on this CPU in RCU_SOFTIRQ, traced as
     * rcu_invoke_callback. {@code func} names the callback in the trace.
     */
    public record CallRcu(String func, List<Op> body) implements Op {
        public CallRcu {
            body = List.copyOf(body);
        }

        public Outcome execute(Exec x) {
            Rcu r = of(x.kernel());
            long id = r.nextCallbackId++;
            long needs = r.request(x);
            r.callbacks.add(new Callback(id, x.cpu(), needs, func, body));
            r.notInvoked.add(id);
            x.trace("rcu_callback", name(x) + " rhp=" + func + "#" + id + " func=" + func);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "call_rcu(" + func + ")";
        }
    }

    /**
     * rcu_barrier() (kernel/rcu/tree.c): might_sleep (it takes rcu_state.barrier_mutex), then waits in
     * D until every callback queued before the call, on any CPU, has been invoked; at once when none is.
     */
    public record RcuBarrier() implements Op {
        public Outcome execute(Exec x) {
            Rcu r = of(x.kernel());
            if (!x.retrying()) {
                x.check(KernelCall.RCU_BARRIER, this);
                if (!x.taskContext()) {
                    return Outcome.Next.INSTANCE;
                }
            }
            if (r.notInvoked.isEmpty()) {
                return Outcome.Next.INSTANCE;
            }
            r.barriers.add(new BarrierWaiter(r.nextCallbackId - 1, x.waitHandle()));
            x.check(KernelCall.SCHEDULE, this);
            return new Outcome.Block("rcu_barrier", 'D');
        }

        public String describe() {
            return "rcu_barrier()";
        }
    }
}
