package dev.kctx.contexts;

/**
 * The rules table: for each modelled kernel call, whether the kernel annotates it as possibly
 * sleeping (might_sleep, might_fault, might_alloc: checked on every call), whether it always
 * schedules (it calls schedule() directly, with no annotation: only the scheduler's own check
 * fires), or whether it is safe in any context. {@code site} is the file holding the annotation,
 * printed after the title as the kernel does.
 */
public enum KernelCall {
    MSLEEP("msleep", Sleep.SCHEDULES, "kernel/time/timer.c"),
    SCHEDULE("schedule", Sleep.SCHEDULES, "kernel/sched/core.c"),
    MUTEX_LOCK("mutex_lock", Sleep.MIGHT_SLEEP, "kernel/locking/mutex.c"),
    KMALLOC_GFP_KERNEL("kmalloc(GFP_KERNEL)", Sleep.MIGHT_SLEEP, "include/linux/sched/mm.h"),
    KMALLOC_GFP_ATOMIC("kmalloc(GFP_ATOMIC)", Sleep.NEVER, ""),
    COPY_TO_USER("copy_to_user", Sleep.MIGHT_SLEEP, "include/linux/uaccess.h"),
    COPY_FROM_USER("copy_from_user", Sleep.MIGHT_SLEEP, "include/linux/uaccess.h"),
    WAIT_EVENT("wait_event", Sleep.MIGHT_SLEEP, "include/linux/wait.h"),
    SPIN_LOCK("spin_lock", Sleep.NEVER, ""),
    RAISE_SOFTIRQ("raise_softirq", Sleep.NEVER, ""),
    WAKE_UP("wake_up", Sleep.NEVER, ""),
    COND_RESCHED("cond_resched", Sleep.MIGHT_SLEEP, "include/linux/sched.h"),
    MDELAY("mdelay", Sleep.NEVER, "");

    /** How a call relates to sleeping. */
    public enum Sleep {
        /** Safe in atomic context. */
        NEVER,
        /** Annotated with might_sleep or a sibling: sleep-in-atomic whenever called while atomic. */
        MIGHT_SLEEP,
        /** Calls schedule(): scheduling-while-atomic when the preempt count is raised. */
        SCHEDULES
    }

    private final String callName;
    private final Sleep sleep;
    private final String site;

    KernelCall(String callName, Sleep sleep, String site) {
        this.callName = callName;
        this.sleep = sleep;
        this.site = site;
    }

    public String callName() {
        return callName;
    }

    public Sleep sleep() {
        return sleep;
    }

    public String site() {
        return site;
    }
}
