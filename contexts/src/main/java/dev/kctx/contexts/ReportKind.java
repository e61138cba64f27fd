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
    /** kernel/watchdog.c watchdog_timer_fn: a CPU that has not rescheduled for twice watchdog_thresh. */
    SOFT_LOCKUP("soft-lockup", "watchdog: BUG: soft lockup"),
    /** kernel/watchdog.c watchdog_hardlockup_check: a CPU whose timer interrupt stopped (interrupts off). */
    HARD_LOCKUP("hard-lockup", "watchdog: Watchdog detected hard LOCKUP"),
    /** kernel/hung_task.c check_hung_task: a task in uninterruptible sleep for hung_task_timeout_secs. */
    HUNG_TASK("hung-task", "INFO: task blocked for more than 120 seconds."),
    /** kernel/irq/handle.c __handle_irq_event_percpu: a hard IRQ handler returned with interrupts enabled. */
    IRQ_HANDLER_ENABLED_IRQS("irq-handler-enabled-irqs", "WARNING: irq handler enabled interrupts"),
    /** kernel/softirq.c __local_bh_enable_ip: bottom halves enabled in hard IRQ or with interrupts off. */
    BH_ENABLE_IRQS_DISABLED("bh-enable-irqs-disabled", "WARNING: local_bh_enable with interrupts disabled"),
    /** kernel/entry/common.c syscall_exit_to_user_mode_prepare: a system call returns with interrupts off. */
    SYSCALL_LEFT_IRQS_DISABLED("syscall-left-irqs-disabled", "WARNING: syscall left IRQs disabled"),
    /**
     * kernel/locking/lockdep.c lockdep_rcu_suspicious, reached through RCU_LOCKDEP_WARN (lockdep-RCU,
     * CONFIG_PROVE_RCU): e.g. kernel/rcu/tree.c synchronize_rcu inside an RCU read-side critical section.
     */
    SUSPICIOUS_RCU_USAGE("suspicious-rcu-usage", "WARNING: suspicious RCU usage"),
    /**
     * kernel/rcu/tree_plugin.h rcu_note_context_switch (CONFIG_PREEMPT_RCU): a WARN_ONCE when a task
     * schedules voluntarily inside rcu_read_lock().
     */
    RCU_VOLUNTARY_CONTEXT_SWITCH("rcu-voluntary-context-switch",
            "WARNING: Voluntary context switch within RCU read-side critical section!"),
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

    /** True for the kinds that are a WARN()/WARN_ON_ONCE() in the kernel (printed after a "cut here" line). */
    public boolean isWarn() {
        return this == IRQ_HANDLER_ENABLED_IRQS || this == BH_ENABLE_IRQS_DISABLED || this == SYSCALL_LEFT_IRQS_DISABLED
                || this == RCU_VOLUNTARY_CONTEXT_SWITCH;
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
        if (id.equals("lockup")) {
            throw new IllegalArgumentException("report kind 'lockup' is now two kinds, as the kernel's two detectors: "
                    + "soft-lockup (no reschedule for 2 x watchdog_thresh) and hard-lockup (interrupts off)");
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
