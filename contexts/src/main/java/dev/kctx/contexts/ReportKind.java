package dev.kctx.contexts;

/**
 * What a report is about: a stable id for machines and the title the kernel itself prints.
 * The two kinds whose title starts with {@code kctx:} go beyond the kernel's own checkers.
 */
public enum ReportKind {
    SLEEP_IN_ATOMIC("sleep-in-atomic", "BUG: sleeping function called from invalid context"),
    SCHEDULING_WHILE_ATOMIC("scheduling-while-atomic", "BUG: scheduling while atomic"),
    RECURSIVE_LOCKING("recursive-locking", "WARNING: possible recursive locking detected"),
    CIRCULAR_LOCKING("circular-locking", "WARNING: possible circular locking dependency detected"),
    INCONSISTENT_LOCK_STATE("inconsistent-lock-state", "WARNING: inconsistent lock state"),
    IRQ_LOCK_INVERSION("irq-lock-inversion", "WARNING: possible irq lock inversion dependency detected"),
    IRQ_SAFE_TO_UNSAFE("irq-safe-to-unsafe", "WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected"),
    BAD_UNLOCK_BALANCE("bad-unlock-balance", "WARNING: bad unlock balance detected!"),
    LOCK_HELD_RETURNING_TO_USER("lock-held-returning-to-user", "WARNING: lock held when returning to user space!"),
    /** debug_check_no_locks_held in do_exit: a kernel thread's function ended holding locks. */
    LOCKS_HELD_AT_EXIT("locks-held-at-exit", "WARNING: COMM/PID still has locks held!"),
    LOCKUP("lockup", "watchdog: BUG: soft lockup"),
    MAY_SLEEP_IN_ATOMIC("may-sleep-in-atomic",
            "kctx: a call that can sleep ran in atomic context but did not sleep this time"),
    BLOCKING_CALL_IN_ATOMIC("blocking-call-in-atomic", "kctx: a Java handler blocked its thread in atomic context");

    private final String id;
    private final String title;

    ReportKind(String id, String title) {
        this.id = id;
        this.title = title;
    }

    /** The stable, lower-case id used in scenario files, JSON and the command line. */
    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    /** True for kinds the kernel itself reports; false for kctx's stricter kinds. */
    public boolean kernelKind() {
        return !title.startsWith("kctx:");
    }

    public static ReportKind byId(String id) {
        for (ReportKind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown report kind '" + id + "'; expected one of " + ids());
    }

    public static String ids() {
        StringBuilder sb = new StringBuilder();
        for (ReportKind k : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(k.id);
        }
        return sb.toString();
    }
}
