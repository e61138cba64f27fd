package dev.kctx.contexts;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one gate every simulated kernel call passes. It checks the call against the caller's
 * atomic state the way the kernel's __might_resched (for annotated calls) and __schedule_bug
 * (for a context that really schedules) do, and hands a {@link Report} to its sink instead of
 * throwing; the caller then goes on, as the kernel does after printing.
 */
public final class Gate {
    private final Consumer<Report> sink;

    public Gate(Consumer<Report> sink) {
        this.sink = sink;
    }

    /**
     * Checks a call on entry. Returns true when the call is clean in this state.
     * A {@link KernelCall.Sleep#SCHEDULES} call is also checked by {@link #scheduling}.
     */
    /**
     * True when {@code call} passes in state {@code st} without a report: what {@link #check} answers
     * in the usual case, decided without a {@link Where} (the caller makes one only when it fails).
     */
    public static boolean passes(KernelCall call, AtomicState st) {
        return switch (call.sleep()) {
            case NEVER -> true;
            case MIGHT_SLEEP -> !st.sleepForbidden();
            case SCHEDULES -> st.preemptCount() == 0 && st.rcuDepth() == 0 && st.rcuBhDepth() == 0 && st.rcuSchedDepth() == 0;
        };
    }

    public boolean check(KernelCall call, AtomicState st, Where where) {
        if (call.mightFault() && st.pagefaultDisabled()) {
            // __might_fault: if (pagefault_disabled()) return;
            return true;
        }
        return switch (call.sleep()) {
            case NEVER -> true;
            case MIGHT_SLEEP -> mightSleep(call.site(), st, where);
            case SCHEDULES -> scheduling(st, where);
        };
    }

    /**
     * __might_resched (kernel/sched/core.c, Linux 6.6): the caller is annotated as possibly sleeping.
     * It first runs rcu_sleep_check (lockdep-RCU, see {@link #rcuSleepCheck}), then prints the
     * kernel's lines; the "RCU nest depth" line only with preemptible RCU (IS_ENABLED(CONFIG_PREEMPT_RCU)),
     * whose readers count in rcu_preempt_depth() and not in the preempt count.
     */
    public boolean mightSleep(String site, AtomicState st, Where where) {
        boolean rcuOk = rcuSleepCheck(st, where);
        if (!st.sleepForbidden()) {
            return rcuOk;
        }
        List<String> details = new ArrayList<>();
        details.add("in_atomic(): " + (st.inAtomic() ? 1 : 0) + ", irqs_disabled(): " + (st.irqsDisabled() ? 1 : 0)
                + ", non_block: 0, pid: " + where.pid() + ", name: " + where.comm());
        details.add("preempt_count: " + Integer.toHexString(st.preemptCount()) + ", expected: 0");
        if (st.preemptibleRcu()) {
            details.add("RCU nest depth: " + st.rcuPreemptDepth() + ", expected: 0");
        }
        String title = ReportKind.SLEEP_IN_ATOMIC.title() + (site.isEmpty() ? "" : " at " + site);
        sink.accept(new Report(ReportKind.SLEEP_IN_ATOMIC, title, where, lockNames(st), st.preemptCount(),
                st.irqsDisabled(), details, siteOf(where)));
        return false;
    }

    /**
     * __schedule_bug: the context is about to schedule away. Fires when the preempt count is raised
     * (schedule() itself accounts for its own preempt_disable, so the expected count is zero here).
     * IRQs disabled or an RCU reader alone do not fire it: schedule_debug tests only the count.
     * The kernel then forces the count back to PREEMPT_DISABLED; the state is left as it is here,
     * so that the model's later unlocks and interrupt exits stay balanced.
     *
     * <p>Then the RCU checks on the way to the switch: schedule_debug's rcu_sleep_check (non-preemptible
     * RCU, see {@link #rcuSleepCheck}), or with preemptible RCU __schedule's rcu_note_context_switch
     * (kernel/rcu/tree_plugin.h), whose WARN_ONCE fires for a voluntary switch with
     * rcu_preempt_depth() above zero. A preemption (an interrupt's, or preempt=full's) is not voluntary
     * and passes.
     */
    public boolean scheduling(AtomicState st, Where where) {
        boolean ok = true;
        if (st.preemptCount() != 0) {
            ok = scheduleBug(st, where);
        }
        if (st.preemptibleRcu()) {
            if (st.rcuPreemptDepth() > 0) {
                sink.accept(new Report(ReportKind.RCU_VOLUNTARY_CONTEXT_SWITCH, "WARNING: CPU: " + where.cpu() + " PID: "
                        + where.pid() + " at kernel/rcu/tree_plugin.h rcu_note_context_switch", where, lockNames(st),
                        st.preemptCount(), st.irqsDisabled(),
                        List.of("Voluntary context switch within RCU read-side critical section!",
                                "rcu_read_lock_nesting: " + st.rcuPreemptDepth()),
                        "kernel/rcu/tree_plugin.h rcu_note_context_switch"));
                ok = false;
            }
        }
        ok &= rcuSleepCheck(st, where);
        return ok;
    }

    /**
     * rcu_sleep_check (include/linux/rcupdate.h, CONFIG_PROVE_RCU): with non-preemptible RCU,
     * rcu_preempt_sleep_check's RCU_LOCKDEP_WARN(lock_is_held(&rcu_lock_map)) prints lockdep-RCU's
     * "Illegal context switch in RCU read-side critical section" through lockdep_rcu_suspicious.
     * With preemptible RCU a sleeping reader is left to {@link #mightSleep}'s RCU nest depth and
     * rcu_note_context_switch. rcu_read_lock_bh and rcu_read_lock_sched readers get their "RCU-bh" and
     * "RCU-sched" messages in both flavours. Each message is one site (RCU_LOCKDEP_WARN's static __warned).
     */
    public boolean rcuSleepCheck(AtomicState st, Where where) {
        boolean ok = true;
        if (!st.preemptibleRcu() && st.rcuDepth() > 0) {
            ok = suspicious(st, where, "Illegal context switch in RCU read-side critical section!");
        }
        // rcu_sleep_check's own RCU_LOCKDEP_WARNs: in either flavour (not PREEMPT_RT, which kctx is not).
        if (st.rcuBhDepth() > 0) {
            ok &= suspicious(st, where, "Illegal context switch in RCU-bh read-side critical section!");
        }
        if (st.rcuSchedDepth() > 0) {
            ok &= suspicious(st, where, "Illegal context switch in RCU-sched read-side critical section!");
        }
        return ok;
    }

    private boolean suspicious(AtomicState st, Where where, String message) {
        sink.accept(new Report(ReportKind.SUSPICIOUS_RCU_USAGE, ReportKind.SUSPICIOUS_RCU_USAGE.title(), where,
                lockNames(st), st.preemptCount(), st.irqsDisabled(),
                List.of("include/linux/rcupdate.h: " + message, "rcu_scheduler_active = 2, debug_locks = 1"),
                "include/linux/rcupdate.h " + message));
        return false;
    }

    private boolean scheduleBug(AtomicState st, Where where) {
        // schedule() runs preempt_disable() before __schedule, so the kernel prints the caller's count + 1.
        String title = ReportKind.SCHEDULING_WHILE_ATOMIC.title() + ": " + where.comm() + "/" + where.pid() + "/0x"
                + PreemptCount.hex(st.preemptCount() + PreemptCount.PREEMPT_OFFSET);
        sink.accept(new Report(ReportKind.SCHEDULING_WHILE_ATOMIC, title, where, lockNames(st), st.preemptCount(),
                st.irqsDisabled(), List.of(), siteOf(where)));
        return false;
    }

    /**
     * kctx's stricter check for a call that can sleep without a might_sleep annotation (a blocking
     * netlink send, say) and did not sleep this time because it found room: in atomic context that
     * is the bug a real run only shows on the unlucky day, reported as may-sleep-in-atomic. When the
     * call does wait, call {@link #scheduling} instead, as the kernel's scheduler would.
     */
    public boolean mayHaveSlept(KernelCall call, AtomicState st, Where where) {
        if (!call.canSleep() || !st.sleepForbidden()) {
            return true;
        }
        String title = ReportKind.MAY_SLEEP_IN_ATOMIC.title() + ": " + call.callName();
        sink.accept(new Report(ReportKind.MAY_SLEEP_IN_ATOMIC, title, where, lockNames(st), st.preemptCount(),
                st.irqsDisabled(), List.of(call.callName() + " would schedule here if it had to wait;"
                        + " in_atomic(): " + (st.inAtomic() ? 1 : 0) + ", irqs_disabled(): " + (st.irqsDisabled() ? 1 : 0)
                        + ", preempt_count: " + Integer.toHexString(st.preemptCount())), siteOf(where)));
        return false;
    }

    /** Records a report of a kind decided elsewhere (watchdog, kctx's own checks), deduplicated by call site. */
    public void report(ReportKind kind, String title, AtomicState st, Where where, List<String> details) {
        report(kind, title, st, where, details, siteOf(where));
    }

    /** Records a report with an explicit deduplication site (e.g. a lock-class pair). */
    public void report(ReportKind kind, String title, AtomicState st, Where where, List<String> details, String site) {
        sink.accept(new Report(kind, title, where, lockNames(st), st.preemptCount(), st.irqsDisabled(), details, site));
    }

    /** A call site: the context that ran it and the operation. */
    public static String siteOf(Where where) {
        return where.context() + ": " + where.op();
    }

    private static List<String> lockNames(AtomicState st) {
        List<String> names = new ArrayList<>();
        for (HeldLock h : st.heldLocks()) {
            names.add(h.toString());
        }
        return names;
    }
}
