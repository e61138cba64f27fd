package dev.kctx.actors.sched;

import java.util.ArrayDeque;

/**
 * The real-time class's run queue (rt_rq) as kernel/sched/rt.c has it: one FIFO list per
 * priority (rt_prio_array), the highest non-empty list's head runs; the running task stays at the
 * head of its list (so a preempted RT task resumes before its peers), a woken one joins the tail,
 * SCHED_RR rotates to the tail when its time slice (sched_rr_timeslice) is used up and a peer
 * waits. RT throttling (sched_rt_runtime_exceeded, do_sched_rt_period_timer): once the CPU's RT
 * tasks have run sched_rt_runtime within a sched_rt_period, the class is skipped until the period
 * ends. kctx's periods are aligned to multiples of the period; RT_RUNTIME_SHARE is off (its 6.6
 * default), so each CPU has its own budget.
 */
public final class RtRq {
    private final RunQueue rq;
    @SuppressWarnings("unchecked")
    private final ArrayDeque<SchedTask>[] queues = new ArrayDeque[SchedAttr.MAX_RT_PRIO];
    /** rt_prio_array's bitmap: bit p set when queue p is not empty. */
    private long bits0;
    private long bits1;
    int nr;
    long rtTime;
    boolean throttled;
    private long periodIndex;
    /** printk_deferred_once: the throttling message is printed once per boot. */
    private static final String THROTTLED_MESSAGE = "sched: RT throttling activated";

    RtRq(RunQueue rq) {
        this.rq = rq;
    }

    public int nrRunning() {
        return nr;
    }

    public boolean throttled() {
        return throttled;
    }

    void enqueue(SchedTask p, boolean head) {
        int prio = p.prio();
        ArrayDeque<SchedTask> q = queues[prio];
        if (q == null) {
            q = new ArrayDeque<>();
            queues[prio] = q;
        }
        if (head) {
            q.addFirst(p);
        } else {
            q.addLast(p);
        }
        setBit(prio);
        nr++;
    }

    void dequeue(SchedTask p) {
        int prio = p.prio();
        ArrayDeque<SchedTask> q = queues[prio];
        if (q == null || !q.remove(p)) {
            throw new IllegalStateException(p.comm + "/" + p.pid + " is not on the RT queue of CPU " + rq.cpu);
        }
        if (q.isEmpty()) {
            clearBit(prio);
        }
        nr--;
    }

    /** requeue_task_rt(): to the tail (or head) of its priority's list. */
    void requeue(SchedTask p, boolean head) {
        ArrayDeque<SchedTask> q = queues[p.prio()];
        q.remove(p);
        if (head) {
            q.addFirst(p);
        } else {
            q.addLast(p);
        }
    }

    /** The head of the highest-priority list, or null (pick_next_rt_entity). */
    SchedTask pickHighest() {
        int prio = highestPrio();
        return prio < 0 ? null : queues[prio].peekFirst();
    }

    /** The highest queued priority (lowest number), or -1. */
    int highestPrio() {
        if (bits0 != 0) {
            return Long.numberOfTrailingZeros(bits0);
        }
        if (bits1 != 0) {
            return 64 + Long.numberOfTrailingZeros(bits1);
        }
        return -1;
    }

    /** True when {@code p} shares its priority's list with others (task_tick_rt's run_list check). */
    boolean hasPeers(SchedTask p) {
        ArrayDeque<SchedTask> q = queues[p.prio()];
        return q != null && q.size() > 1;
    }

    /** The queued tasks from the highest priority down, FIFO within one (for balancing and tests). */
    public java.util.List<SchedTask> queuedInOrder() {
        java.util.List<SchedTask> out = new java.util.ArrayList<>();
        for (ArrayDeque<SchedTask> q : queues) {
            if (q != null) {
                out.addAll(q);
            }
        }
        return out;
    }

    private void setBit(int prio) {
        if (prio < 64) {
            bits0 |= 1L << prio;
        } else {
            bits1 |= 1L << (prio - 64);
        }
    }

    private void clearBit(int prio) {
        if (prio < 64) {
            bits0 &= ~(1L << prio);
        } else {
            bits1 &= ~(1L << (prio - 64));
        }
    }

    // ---- bandwidth ----

    /** update_curr_rt's accounting: true when the CPU's RT budget of this period is used up now. */
    boolean account(long delta, long now) {
        SchedSettings s = rq.settings;
        if (!s.rtThrottling()) {
            return false;
        }
        replenish(now);
        rtTime += delta;
        if (!throttled && rtTime > s.rtRuntimeNs()) {
            throttled = true;
            rq.printk(THROTTLED_MESSAGE, true);
            return true;
        }
        return false;
    }

    /**
     * do_sched_rt_period_timer for the periods that ended before {@code now}: each gives back one
     * runtime's worth; the class runs again once it is under budget. True when it was unthrottled.
     */
    boolean replenish(long now) {
        SchedSettings s = rq.settings;
        long index = now / s.rtPeriodNs();
        long overrun = index - periodIndex;
        if (overrun <= 0) {
            return false;
        }
        periodIndex = index;
        // each elapsed period gives back one runtime: rt_time -= min(rt_time, overrun * runtime)
        long runtime = s.rtRuntimeNs();
        if (runtime > 0) {
            // overrun > rtTime / runtime: the product would reach rt_time (and could overflow)
            rtTime = overrun > rtTime / runtime ? 0 : rtTime - overrun * runtime;
        }
        if (throttled && rtTime < s.rtRuntimeNs()) {
            throttled = false;
            return true;
        }
        return false;
    }

    /** When the current period ends: the instant the throttle can lift. */
    long periodEnd() {
        return (periodIndex + 1) * rq.settings.rtPeriodNs();
    }
}
