package dev.kctx.contexts;

/**
 * The four execution levels of a CPU. A level may only be preempted by the levels above it
 * (user processes also by the scheduler).
 */
public enum ContextLevel {
    USER,
    KERNEL,
    SOFTIRQ,
    HARDIRQ;

    /** Mailbox priority of a message at this level: lower runs first, so HARDIRQ is 0. */
    public int mailboxPriority() {
        return HARDIRQ.ordinal() - ordinal();
    }

    /** True when work at this level preempts work at {@code other}. */
    public boolean preempts(ContextLevel other) {
        return ordinal() > other.ordinal();
    }
}
