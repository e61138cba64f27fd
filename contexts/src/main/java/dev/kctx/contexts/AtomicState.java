package dev.kctx.contexts;

import java.util.ArrayList;
import java.util.List;

/**
 * The atomicity state of one execution context: preempt_count with its hard-IRQ, soft-IRQ and
 * preempt-disable fields, the IRQs-disabled flag, the RCU read-side depth and the held locks.
 * One instance belongs to each task (as preempt_count is switched with the task); interrupt
 * entry and exit adjust the interrupted task's instance and restore it when they return.
 *
 * <p>Not thread-safe: it is owned by whichever actor currently runs the context.
 */
public final class AtomicState {
    private int preemptCount;
    private boolean irqsDisabled;
    private int rcuDepth;
    /** Open rcu_read_lock_bh() and rcu_read_lock_sched() readers (rcu_bh_lock_map, rcu_sched_lock_map). */
    private int rcuBhDepth;
    private int rcuSchedDepth;
    /** CONFIG_PREEMPT_RCU: readers only count in rcu_read_lock_nesting; off, rcu_read_lock is preempt_disable. */
    private boolean preemptibleRcu = true;
    /** current->pagefault_disabled (include/linux/uaccess.h): apart from preempt_count since Linux 4.2. */
    private int pagefaultDisabled;
    private final List<HeldLock> held = new ArrayList<>();
    private final java.util.Map<String, java.util.ArrayDeque<Boolean>> savedFlags = new java.util.HashMap<>();

    public int preemptCount() {
        return preemptCount;
    }

    public boolean irqsDisabled() {
        return irqsDisabled;
    }

    /** The open RCU readers (lock_is_held(&rcu_lock_map) for lockdep-RCU), in either RCU flavour. */
    public int rcuDepth() {
        return rcuDepth;
    }

    /**
     * rcu_preempt_depth() (include/linux/rcupdate.h): current->rcu_read_lock_nesting with preemptible
     * RCU, always 0 without it (the readers are in the preempt count instead).
     */
    public int rcuPreemptDepth() {
        return preemptibleRcu ? rcuDepth : 0;
    }

    /** Open rcu_read_lock_bh() readers: lock_is_held(&rcu_bh_lock_map). */
    public int rcuBhDepth() {
        return rcuBhDepth;
    }

    /** Open rcu_read_lock_sched() readers: lock_is_held(&rcu_sched_lock_map). */
    public int rcuSchedDepth() {
        return rcuSchedDepth;
    }

    /**
     * rcu_read_lock_bh() (include/linux/rcupdate.h): local_bh_disable(), then the RCU-bh reader
     * that lockdep-RCU sees.
     */
    public void rcuReadLockBh() {
        bhDisable();
        rcuBhDepth++;
    }

    /** rcu_read_unlock_bh(): the reader ends, then local_bh_enable(); false when none was open. */
    public boolean rcuReadUnlockBh() {
        if (rcuBhDepth == 0) {
            return false;
        }
        rcuBhDepth--;
        bhEnable();
        return true;
    }

    /** rcu_read_lock_sched() (include/linux/rcupdate.h): preempt_disable(), then the RCU-sched reader. */
    public void rcuReadLockSched() {
        preemptDisable();
        rcuSchedDepth++;
    }

    /** rcu_read_unlock_sched(): the reader ends, then preempt_enable(); false when none was open. */
    public boolean rcuReadUnlockSched() {
        if (rcuSchedDepth == 0) {
            return false;
        }
        rcuSchedDepth--;
        preemptEnable();
        return true;
    }

    /** True for CONFIG_PREEMPT_RCU (the default here), false for a non-preemptible RCU kernel. */
    public boolean preemptibleRcu() {
        return preemptibleRcu;
    }

    /**
     * Chooses the RCU flavour (the machine's, before any reader is open): false makes rcu_read_lock()
     * a preempt_disable(), as kernel/rcu/tree_plugin.h's !CONFIG_PREEMPT_RCU __rcu_read_lock does.
     */
    public void setPreemptibleRcu(boolean preemptible) {
        if (rcuDepth != 0 && preemptible != preemptibleRcu) {
            throw new IllegalStateException("the RCU flavour changes only with no reader open");
        }
        preemptibleRcu = preemptible;
    }

    public List<HeldLock> heldLocks() {
        return List.copyOf(held);
    }

    public boolean holdsAnyLock() {
        return !held.isEmpty();
    }

    public int hardirqDepth() {
        return (preemptCount & PreemptCount.HARDIRQ_MASK) / PreemptCount.HARDIRQ_OFFSET;
    }

    /** Depth of local_bh_disable nesting (softirq count without the serving bit). */
    public int bhDisableDepth() {
        return (preemptCount & PreemptCount.SOFTIRQ_MASK) / PreemptCount.SOFTIRQ_DISABLE_OFFSET;
    }

    public int preemptDisableDepth() {
        return preemptCount & PreemptCount.PREEMPT_MASK;
    }

    // The kernel's predicates (include/linux/preempt.h).

    public boolean inHardirq() {
        return (preemptCount & PreemptCount.HARDIRQ_MASK) != 0;
    }

    /** in_softirq(): serving a soft IRQ or bottom halves disabled. */
    public boolean inSoftirq() {
        return (preemptCount & PreemptCount.SOFTIRQ_MASK) != 0;
    }

    public boolean inServingSoftirq() {
        return (preemptCount & PreemptCount.SOFTIRQ_OFFSET) != 0;
    }

    public boolean bhDisabled() {
        return bhDisableDepth() > 0;
    }

    /** in_interrupt(): hard IRQ, soft IRQ (serving or BH disabled) or NMI. */
    public boolean inInterrupt() {
        return (preemptCount & (PreemptCount.HARDIRQ_MASK | PreemptCount.SOFTIRQ_MASK | PreemptCount.NMI_MASK)) != 0;
    }

    /** in_atomic(): any non-zero preempt count. */
    public boolean inAtomic() {
        return preemptCount != 0;
    }

    /** in_task(): not in NMI, hard IRQ or while serving a soft IRQ. */
    public boolean inTask() {
        return (preemptCount & (PreemptCount.NMI_MASK | PreemptCount.HARDIRQ_MASK)) == 0 && !inServingSoftirq();
    }

    /** The condition __might_sleep complains about: atomic, IRQs off, or inside an RCU reader. */
    public boolean sleepForbidden() {
        return preemptCount != 0 || irqsDisabled || rcuPreemptDepth() != 0;
    }

    // Transitions.

    /** in_nmi(): inside an NMI handler (include/linux/preempt.h, nmi_count()). */
    public boolean inNmi() {
        return (preemptCount & PreemptCount.NMI_MASK) != 0;
    }

    /**
     * __nmi_enter (include/linux/hardirq.h, Linux 6.6): {@code __preempt_count_add(NMI_OFFSET +
     * HARDIRQ_OFFSET)}, so in NMI context in_hardirq(), in_interrupt() and in_atomic() hold too.
     */
    public void nmiEnter() {
        preemptCount += PreemptCount.NMI_OFFSET + PreemptCount.HARDIRQ_OFFSET;
    }

    /** __nmi_exit: undoes {@link #nmiEnter()}. */
    public void nmiExit() {
        requireField(inNmi(), "nmi exit without entry");
        preemptCount -= PreemptCount.NMI_OFFSET + PreemptCount.HARDIRQ_OFFSET;
    }

    public void hardirqEnter() {
        preemptCount += PreemptCount.HARDIRQ_OFFSET;
    }

    public void hardirqExit() {
        requireField(inHardirq(), "hardirq exit without entry");
        preemptCount -= PreemptCount.HARDIRQ_OFFSET;
    }

    public void softirqServeEnter() {
        preemptCount += PreemptCount.SOFTIRQ_OFFSET;
    }

    public void softirqServeExit() {
        requireField(inServingSoftirq(), "softirq exit without entry");
        preemptCount -= PreemptCount.SOFTIRQ_OFFSET;
    }

    public void bhDisable() {
        preemptCount += PreemptCount.SOFTIRQ_DISABLE_OFFSET;
    }

    /** Returns false (and changes nothing) when bottom halves were not disabled. */
    public boolean bhEnable() {
        if (bhDisableDepth() == 0) {
            return false;
        }
        preemptCount -= PreemptCount.SOFTIRQ_DISABLE_OFFSET;
        return true;
    }

    public void preemptDisable() {
        preemptCount += PreemptCount.PREEMPT_OFFSET;
    }

    /** Returns false (and changes nothing) when preemption was not disabled. */
    public boolean preemptEnable() {
        if (preemptDisableDepth() == 0) {
            return false;
        }
        preemptCount -= PreemptCount.PREEMPT_OFFSET;
        return true;
    }

    /** Returns the previous state, as local_irq_save does. */
    public boolean irqSave() {
        boolean was = irqsDisabled;
        irqsDisabled = true;
        return was;
    }

    /** local_irq_save into the variable {@code key}: remembers the current flag and disables IRQs. */
    public void saveIrqs(String key) {
        savedFlags.computeIfAbsent(key, k -> new java.util.ArrayDeque<>()).push(irqsDisabled);
        irqsDisabled = true;
    }

    /**
     * local_irq_restore from {@code key}: the innermost save wins, so nested save/restore pairs
     * nest as the kernel's local flags variables do. False (and IRQs enabled) when nothing was saved.
     */
    public boolean restoreIrqs(String key) {
        java.util.ArrayDeque<Boolean> stack = savedFlags.get(key);
        Boolean was = stack == null ? null : stack.poll();
        irqsDisabled = was != null && was;
        return was != null;
    }

    public void setIrqsDisabled(boolean disabled) {
        irqsDisabled = disabled;
    }

    /**
     * rcu_read_lock(): __rcu_read_lock (kernel/rcu/tree_plugin.h) raises rcu_read_lock_nesting with
     * preemptible RCU; without it, it is preempt_disable() and the reader shows in the preempt count.
     */
    public void rcuReadLock() {
        rcuDepth++;
        if (!preemptibleRcu) {
            preemptDisable();
        }
    }

    /** pagefault_disable(): the fault handler will not sleep for this task (pagefault_disabled_inc). */
    public void pagefaultDisable() {
        pagefaultDisabled++;
    }

    /** pagefault_enable(); false (and nothing changes) when it was not disabled. */
    public boolean pagefaultEnable() {
        if (pagefaultDisabled == 0) {
            return false;
        }
        pagefaultDisabled--;
        return true;
    }

    /** pagefault_disabled(). */
    public boolean pagefaultDisabled() {
        return pagefaultDisabled != 0;
    }

    /**
     * faulthandler_disabled() (include/linux/uaccess.h): pagefault_disabled() || in_atomic(); a
     * fault on a user address then fails (-EFAULT) instead of sleeping to bring the page in.
     */
    public boolean faulthandlerDisabled() {
        return pagefaultDisabled != 0 || inAtomic();
    }

    /** Returns false (and changes nothing) when no RCU reader was open. */
    public boolean rcuReadUnlock() {
        if (rcuDepth == 0) {
            return false;
        }
        rcuDepth--;
        if (!preemptibleRcu) {
            preemptEnable();
        }
        return true;
    }

    public void pushLock(HeldLock lock) {
        held.add(lock);
    }

    /** Removes the innermost entry for {@code name}; false when it is not held here. */
    public boolean popLock(String name) {
        for (int i = held.size() - 1; i >= 0; i--) {
            if (held.get(i).name().equals(name)) {
                held.remove(i);
                return true;
            }
        }
        return false;
    }

    public boolean holds(String name) {
        for (HeldLock h : held) {
            if (h.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static void requireField(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }

    /** The preempt count as the kernel prints it, e.g. {@code 00000101}. */
    public String printable() {
        return PreemptCount.hex(preemptCount);
    }

    @Override
    public String toString() {
        return "preempt_count=" + printable() + " irqs_disabled=" + (irqsDisabled ? 1 : 0) + " rcu=" + rcuDepth
                + " locks=" + held;
    }
}
