package dev.kctx.actors.sched;

/**
 * A task's scheduling attributes as sched_setattr(2) sets them: the policy, the real-time
 * priority (1..99 for FIFO and RR, 0 otherwise) and the nice value (-20..19, which the fair class
 * turns into a weight; RT tasks keep theirs for when they go back to the fair class).
 */
public record SchedAttr(Policy policy, int rtPriority, int nice) {
    /** MAX_RT_PRIO in include/linux/sched/prio.h. */
    public static final int MAX_RT_PRIO = 100;
    /** MIN_NICE and MAX_NICE (include/linux/sched/prio.h). */
    public static final int MIN_NICE = -20;
    public static final int MAX_NICE = 19;
    /** DEFAULT_PRIO: the prio of a nice-0 fair task. */
    public static final int DEFAULT_PRIO = 120;

    /** SCHED_NORMAL at nice 0: what a task gets from fork of init. */
    public static final SchedAttr DEFAULT = new SchedAttr(Policy.NORMAL, 0, 0);

    public SchedAttr {
        java.util.Objects.requireNonNull(policy, "policy");
        String why = invalid(policy, rtPriority, nice);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
    }

    /**
     * Why these attributes are invalid (the kernel's EINVAL in __sched_setscheduler), or null.
     * An RT policy needs rt_priority 1..99; the others need 0; nice is -20..19.
     */
    public static String invalid(Policy policy, int rtPriority, int nice) {
        if (nice < MIN_NICE || nice > MAX_NICE) {
            return "nice must be between -20 and 19, not " + nice;
        }
        if (policy.realtime() && (rtPriority < 1 || rtPriority > 99)) {
            return policy.kernelName() + " needs a priority between 1 and 99, not " + rtPriority;
        }
        if (!policy.realtime() && rtPriority != 0) {
            return policy.kernelName() + " takes priority 0, not " + rtPriority;
        }
        return null;
    }

    public static SchedAttr fifo(int rtPriority) {
        return new SchedAttr(Policy.FIFO, rtPriority, 0);
    }

    public static SchedAttr rr(int rtPriority) {
        return new SchedAttr(Policy.RR, rtPriority, 0);
    }

    public static SchedAttr normal(int nice) {
        return new SchedAttr(Policy.NORMAL, 0, nice);
    }

    /** The same attributes with another nice value (nice(2), setpriority(2)). */
    public SchedAttr withNice(int n) {
        return new SchedAttr(policy, rtPriority, n);
    }

    /**
     * The kernel's prio as normal_prio() computes it and traces print it: 99 - rt_priority for the
     * RT policies, 120 + nice for the fair ones. Lower is more important.
     */
    public int prio() {
        return policy.realtime() ? MAX_RT_PRIO - 1 - rtPriority : DEFAULT_PRIO + nice;
    }

    @Override
    public String toString() {
        return policy.realtime() ? policy.kernelName() + " " + rtPriority : policy.kernelName() + " nice " + nice;
    }
}
