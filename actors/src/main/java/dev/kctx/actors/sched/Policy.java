package dev.kctx.actors.sched;

/**
 * Scheduling policies with the numbers of include/uapi/linux/sched.h. FIFO and RR are the
 * real-time class (kernel/sched/rt.c); NORMAL, BATCH and IDLE the fair class (kernel/sched/fair.c).
 */
public enum Policy {
    NORMAL(0), FIFO(1), RR(2), BATCH(3), IDLE(5);

    private final int number;

    Policy(int number) {
        this.number = number;
    }

    /** The policy's number as sched_setscheduler(2) takes it. */
    public int number() {
        return number;
    }

    /** rt_policy() in kernel/sched/sched.h. */
    public boolean realtime() {
        return this == FIFO || this == RR;
    }

    /** The name as chrt(1) and the man pages write it: SCHED_OTHER for NORMAL. */
    public String kernelName() {
        return this == NORMAL ? "SCHED_OTHER" : "SCHED_" + name();
    }

    /** The policy with sched_setscheduler's number, or null (the call's EINVAL). */
    public static Policy ofNumber(int number) {
        for (Policy p : values()) {
            if (p.number == number) {
                return p;
            }
        }
        return null;
    }
}
