package dev.kctx.actors.sched;

import java.util.Set;
import java.util.function.Consumer;

/**
 * One CPU's run queue (struct rq) and the class-independent scheduler of kernel/sched/core.c
 * (Linux 6.6): activate/deactivate, the pick in class order (RT, then fair, then idle),
 * wake-up preemption (check_preempt_curr), the tick (scheduler_tick), sched_yield and
 * sched_setattr's re-queueing. TIF_NEED_RESCHED of the running task is {@link #needResched()}:
 * the CPU acts on it at the next preemption point its preemption model allows.
 *
 * <p>Time: the run queue's clock is the CPU's virtual time, interrupts included
 * (CONFIG_IRQ_TIME_ACCOUNTING off): a task is charged for the interrupts that hit it.
 */
public final class RunQueue {
    public final int cpu;
    final SchedSettings settings;
    final FairRq cfs = new FairRq(this);
    final RtRq rt = new RtRq(this);
    /** rq->curr; null while the idle task runs. */
    private SchedTask curr;
    private boolean needResched;
    private final Set<String> printedOnce;
    private Consumer<String> printk = s -> { };

    /**
     * A run queue for CPU {@code cpu}; {@code printedOnce} is the machine's set of messages
     * already printed by printk_once (shared by all CPUs).
     */
    public RunQueue(int cpu, SchedSettings settings, Set<String> printedOnce) {
        this.cpu = cpu;
        this.settings = settings;
        this.printedOnce = printedOnce;
    }

    /** Where this run queue's kernel messages go (the CPU's printk). */
    public void printkTo(Consumer<String> sink) {
        printk = sink;
    }

    void printk(String line, boolean once) {
        if (!once || printedOnce.add(line)) {
            printk.accept(line);
        }
    }

    public SchedSettings settings() {
        return settings;
    }

    public FairRq fair() {
        return cfs;
    }

    public RtRq realtime() {
        return rt;
    }

    /** The running task, or null for the idle task. */
    public SchedTask curr() {
        return curr;
    }

    /** rq->nr_running: the queued tasks of every class, the running one included. */
    public int nrRunning() {
        return cfs.nrRunning + rt.nr;
    }

    /** idle_cpu(): nothing runs and nothing is queued. */
    public boolean idle() {
        return curr == null && nrRunning() == 0;
    }

    /** The prio of what runs now; the idle task counts as below every task (MAX_PRIO 140). */
    public int currPrio() {
        return curr == null ? 140 : curr.prio();
    }

    /** test_tsk_need_resched(rq->curr). */
    public boolean needResched() {
        return needResched;
    }

    /** resched_curr(): ask the running task to give up the CPU at the next preemption point. */
    public void reschedCurr() {
        needResched = true;
    }

    /** Something other than this run queue will run the scheduler now (schedule() from a caller that yields). */
    public void clearNeedResched() {
        needResched = false;
    }

    /** True when a task other than the running one is queued (someone to switch to). */
    public boolean othersWaiting() {
        int n = nrRunning();
        return curr != null && curr.queued ? n > 1 : n > 0;
    }

    // ---- enqueue_task / dequeue_task ----

    /**
     * activate_task(): {@code p} joins this run queue; {@code initial} for a new task
     * (wake_up_new_task), placed at V with no lag (its vlag is 0 from __sched_fork).
     */
    public void activate(SchedTask p, boolean initial, long now) {
        if (p.queued) {
            throw new IllegalStateException(p.comm + "/" + p.pid + " is already queued on CPU " + p.cpu);
        }
        p.queued = true;
        p.cpu = cpu;
        if (p.rt()) {
            if (p.attr.policy() == Policy.RR && p.rrTicks <= 0) {
                p.rrTicks = settings.rrTimesliceTicks();
            }
            rt.enqueue(p, false);
        } else {
            cfs.enqueue(p, initial, now);
        }
    }

    /** deactivate_task(): {@code p} leaves the run queue (it sleeps, exits, or moves to another CPU). */
    public void deactivate(SchedTask p, long now) {
        if (!p.queued || p.cpu != cpu) {
            throw new IllegalStateException(p.comm + "/" + p.pid + " is not queued on CPU " + cpu);
        }
        if (p.rt()) {
            if (p == curr) {
                updateCurrRt(now);
            }
            rt.dequeue(p);
        } else {
            cfs.dequeue(p, now);
        }
        p.queued = false;
    }

    /**
     * check_preempt_curr(): the newly queued {@code p} preempts the running task when its class
     * is above (RT over fair, anything over idle), when it is an RT task of higher priority, or
     * when the fair class says so (EEVDF's wake-up preemption).
     */
    public void checkPreempt(SchedTask p, long now) {
        SchedTask c = curr;
        if (c == null) {
            reschedCurr();
            return;
        }
        if (p.rt()) {
            if (!c.rt() || p.prio() < c.prio()) {
                reschedCurr();
            }
            return;
        }
        if (c.rt() || needResched) {
            return;
        }
        if (cfs.wakeupPreempt(c, p, now)) {
            reschedCurr();
        }
    }

    // ---- __schedule ----

    /**
     * put_prev_task + pick_next_task: {@code prev} (the running task, or null for idle) is put back
     * if still queued; the highest class with a runnable task picks; null means idle. Clears
     * need_resched. A sleeping or exiting prev is deactivated by the caller first.
     */
    public SchedTask pickNext(SchedTask prev, long now) {
        if (prev != null) {
            if (prev.rt()) {
                updateCurrRt(now);
            } else if (cfs.curr == prev) {
                cfs.putPrev(prev, now);
            }
        }
        SchedTask next = null;
        if (rt.nr > 0) {
            rt.replenish(now);
            if (!rt.throttled) {
                next = rt.pickHighest();
                next.execStart = now;
            }
        }
        if (next == null && cfs.nrRunning > 0) {
            next = cfs.pickEevdf();
            cfs.setNext(next, now);
        }
        curr = next;
        needResched = false;
        return next;
    }

    private void updateCurrRt(long now) {
        SchedTask c = curr;
        long delta = now - c.execStart;
        if (delta <= 0) {
            return;
        }
        c.execStart = now;
        c.sumExecRuntime += delta;
        if (rt.account(delta, now)) {
            reschedCurr();
        }
    }

    /** update_curr for whatever runs: charges its time up to {@code now} (before reading its statistics). */
    public void updateCurr(long now) {
        if (curr == null) {
            return;
        }
        if (curr.rt()) {
            updateCurrRt(now);
        } else {
            cfs.updateCurr(now);
        }
    }

    // ---- the tick ----

    /**
     * scheduler_tick → task_tick: charges the running task; the fair class reschedules when the
     * task has used its request (update_deadline), SCHED_RR when its time slice is over and a peer
     * of its priority waits; RT throttling may start or end.
     */
    public void tick(long now) {
        if (rt.replenish(now) && rt.nr > 0) {
            reschedCurr();
        }
        SchedTask c = curr;
        if (c == null) {
            return;
        }
        if (c.rt()) {
            updateCurrRt(now);
            if (c.attr.policy() == Policy.RR && --c.rrTicks <= 0) {
                c.rrTicks = settings.rrTimesliceTicks();
                if (rt.hasPeers(c)) {
                    rt.requeue(c, false);
                    reschedCurr();
                }
            }
        } else {
            cfs.updateCurr(now);
        }
    }

    /** The instant the RT throttle of this CPU lifts, or -1 when it is not throttled. */
    public long throttleEnd() {
        return rt.throttled ? rt.periodEnd() : -1;
    }

    /** The RT period timer at {@code now}: lift the throttle if the budget allows, and reschedule. */
    public void periodTimer(long now) {
        if (rt.replenish(now) && rt.nr > 0) {
            reschedCurr();
        }
    }

    // ---- system calls ----

    /** do_sched_yield(): the running task goes behind its peers (RT) or one slice later (fair). */
    public void yieldCurr(long now) {
        SchedTask c = curr;
        if (c == null) {
            return;
        }
        if (c.rt()) {
            updateCurrRt(now);
            rt.requeue(c, false);
        } else {
            cfs.yieldCurr(now, nrRunning());
        }
    }

    /**
     * __sched_setscheduler() for a task of this CPU (queued here, running here, or asleep with
     * task_cpu here): off the queue, new attributes (a fair task's lag scaled to its new weight),
     * back on (an RT task whose priority was lowered at the head of its new list), then
     * prio_changed: the running task is rescheduled when it lost priority, a queued one may preempt.
     */
    public void setAttr(SchedTask p, SchedAttr a, long now) {
        boolean queued = p.queued;
        boolean running = p == curr;
        int oldPrio = p.prio();
        boolean wasRt = p.rt();
        long oldWeight = p.weight;
        if (queued) {
            deactivate(p, now);
        }
        if (running && !wasRt) {
            cfs.putPrev(p, now);
        }
        p.setAttr(a);
        if (!wasRt && !p.rt() && oldWeight != p.weight) {
            FairRq.reweightDequeued(p, oldWeight);
        }
        if (p.attr.policy() == Policy.RR && p.rrTicks <= 0) {
            p.rrTicks = settings.rrTimesliceTicks();
        }
        if (queued) {
            p.queued = true;
            if (p.rt()) {
                rt.enqueue(p, oldPrio < p.prio());
            } else {
                cfs.enqueue(p, false, now);
            }
        }
        if (running) {
            if (p.rt()) {
                p.execStart = now;
            } else {
                cfs.setNext(p, now);
            }
            if (p.prio() > oldPrio || wasRt != p.rt()) {
                reschedCurr();
            }
        } else if (queued) {
            checkPreempt(p, now);
        }
    }
}
