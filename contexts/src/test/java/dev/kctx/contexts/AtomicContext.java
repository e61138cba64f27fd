package dev.kctx.contexts;

import java.util.function.Consumer;

/**
 * The atomic contexts a kernel call can run in, each built the way the kernel enters it, with the
 * preempt count, IRQ flag and RCU depth the kernel would then show. Tests iterate over these so
 * that every rule is checked in every context.
 */
enum AtomicContext {
    /** A hard IRQ handler: HARDIRQ_OFFSET, and handlers run with IRQs off. */
    HARDIRQ("a hard IRQ handler", ContextLevel.HARDIRQ, st -> {
        st.hardirqEnter();
        st.setIrqsDisabled(true);
    }, 0x10000, true, 0),
    /** A soft IRQ being served: SOFTIRQ_OFFSET. */
    SERVING_SOFTIRQ("a soft IRQ handler", ContextLevel.SOFTIRQ, AtomicState::softirqServeEnter, 0x100, false, 0),
    /** local_bh_disable in process context: SOFTIRQ_DISABLE_OFFSET. */
    BH_DISABLED("process context with bottom halves disabled", ContextLevel.KERNEL, AtomicState::bhDisable,
            0x200, false, 0),
    /** preempt_disable: PREEMPT_OFFSET. */
    PREEMPT_DISABLED("process context with preemption disabled", ContextLevel.KERNEL,
            AtomicState::preemptDisable, 0x1, false, 0),
    /** spin_lock: preempt_disable and the lock on the held-locks stack. */
    SPIN_LOCK_HELD("process context holding a spin lock", ContextLevel.KERNEL, st -> {
        st.preemptDisable();
        st.pushLock(new HeldLock("cfg", "spin_lock", false));
    }, 0x1, false, 0),
    /** spin_lock_bh: SOFTIRQ_LOCK_OFFSET (BH disabled, then preemption). */
    SPIN_LOCK_BH_HELD("process context holding a spin lock taken with spin_lock_bh", ContextLevel.KERNEL, st -> {
        st.bhDisable();
        st.preemptDisable();
        st.pushLock(new HeldLock("cfg", "spin_lock_bh", false));
    }, 0x201, false, 0),
    /** spin_lock_irqsave: IRQs off and preemption disabled. */
    SPIN_LOCK_IRQSAVE_HELD("process context holding a spin lock taken with spin_lock_irqsave", ContextLevel.KERNEL,
            st -> {
                st.saveIrqs("lock:cfg");
                st.preemptDisable();
                st.pushLock(new HeldLock("cfg", "spin_lock_irqsave", false));
            }, 0x1, true, 0),
    /** local_irq_disable alone: the preempt count stays 0. */
    IRQS_DISABLED("process context with IRQs disabled", ContextLevel.KERNEL, st -> st.setIrqsDisabled(true), 0,
            true, 0),
    /** rcu_read_lock on a CONFIG_PREEMPT_RCU kernel: only the RCU nest depth rises. */
    RCU_READER("an RCU read-side critical section", ContextLevel.KERNEL, AtomicState::rcuReadLock, 0, false, 1);

    final String description;
    final ContextLevel level;
    private final Consumer<AtomicState> enter;
    final int preemptCount;
    final boolean irqsDisabled;
    final int rcuDepth;

    AtomicContext(String description, ContextLevel level, Consumer<AtomicState> enter, int preemptCount,
                  boolean irqsDisabled, int rcuDepth) {
        this.description = description;
        this.level = level;
        this.enter = enter;
        this.preemptCount = preemptCount;
        this.irqsDisabled = irqsDisabled;
        this.rcuDepth = rcuDepth;
    }

    /** A fresh task's state after entering this context. */
    AtomicState enter() {
        AtomicState st = new AtomicState();
        enter.accept(st);
        return st;
    }

    /** The call site a report names: task rxworker, pid 42, on CPU 1 at 1.5 ms. */
    Where where(String op) {
        return new Where(1, 1_500_000L, level, description, "rxworker", 42, op);
    }

    @Override
    public String toString() {
        return description;
    }
}
