package dev.kctx.actors.sched;

/**
 * The idle class (kernel/sched/idle.c): what a CPU runs when no class has a task, the per-CPU
 * swapper/N with pid 0. It is below every other class, so any wake-up preempts it
 * (check_preempt_curr_idle resched_curr's unconditionally), and it stops the tick (NO_HZ_IDLE).
 */
public final class Idle {
    /** The idle task's prio as sched_switch prints it. */
    public static final int PRIO = 120;

    private Idle() {
    }

    /** The idle task's comm on CPU {@code cpu}. */
    public static String comm(int cpu) {
        return "swapper/" + cpu;
    }
}
