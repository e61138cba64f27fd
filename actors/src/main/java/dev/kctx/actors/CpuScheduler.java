package dev.kctx.actors;

import dev.kctx.actors.Cpu.Frame;
import dev.kctx.actors.Cpu.Migrate;
import dev.kctx.actors.Cpu.Pull;
import dev.kctx.actors.Cpu.SchedTimer;
import dev.kctx.actors.Cpu.SetAttr;
import dev.kctx.actors.Cpu.Status;
import dev.kctx.actors.Cpu.Tick;
import dev.kctx.actors.Cpu.WakeUp;
import dev.kctx.actors.program.WaitHandle;
import dev.kctx.actors.sched.Balance;
import dev.kctx.actors.sched.Idle;
import dev.kctx.actors.sched.RunQueue;
import dev.kctx.contexts.ContextLevel;

import java.util.Map;

/**
 * The scheduler's side of one CPU, what kernel/sched/core.c does around the run queue: __schedule
 * (the switch and its trace), try_to_wake_up (placement, traced in the waker's context, and the
 * calendar event that carries the wake-up), wake_up_new_task, scheduler_tick, sched_setattr and
 * sched_setaffinity on the task's CPU, and the balancing moves (newidle and periodic pulls, the
 * nohz kick, RT push and pull). The decisions are the run queue's ({@link RunQueue}) and the
 * machine's ({@link Balance}); this class carries them out on the CPU's stack of contexts, which
 * stays {@link Cpu}'s. Like the CPU it never blocks, sleeps or reads the wall clock.
 */
final class CpuScheduler {
    private final Cpu c;
    private final RunQueue rq;
    private final Balance balance;
    private final Map<Integer, TaskControl> allTasks;
    /** The pending tick's generation; a tick of another generation is stale. */
    private long tickGen;
    /** When the pending tick fires, or -1 when none is pending (the CPU is idle: NO_HZ_IDLE). */
    private long tickAt = -1;
    private long ticks;
    /** When the posted RT period timer fires, or -1. */
    private long rtTimerAt = -1;

    CpuScheduler(Cpu c, RunQueue rq, Balance balance, Map<Integer, TaskControl> allTasks) {
        this.c = c;
        this.rq = rq;
        this.balance = balance;
        this.allTasks = allTasks;
    }

    /** A task starts (wake_up_new_task): placed by select_task_rq with SD_BALANCE_FORK, possibly elsewhere. */
    void wakeUpNewTask(TaskControl task) {
        int target = balance.selectTaskRq(task, c.id);
        if (target != c.id) {
            moveTo(task, target, true);
        } else {
            wakeUpNew(task);
        }
    }

    /**
     * A wake-up of task {@code t} reaches this CPU: one placed by its waker is queued here; a timer
     * of this CPU that fires starts the wake-up here, and may place the task elsewhere.
     */
    void onWake(Cpu.WakeUp w, TaskControl t) {
        WaitHandle h = w.handle();
        if (!w.traceHere()) {
            balance.arrived(c.id);
        }
        if (t.waitToken != h.token() || !t.sleeping()) {
            return;
        }
        if (w.traceHere()) {
            t.wokenFromSoftirq = false;
            int target = selectAndTrace(t);
            if (target != c.id) {
                t.wakePending = true;
                balance.posted(target);
                c.post(new Cpu.WakeUp(c.now, h, false), target, ContextLevel.KERNEL, source());
                return;
            }
        }
        running(t);
        if (t.cpu() != c.id) {
            t.setCpu(c.id);
        }
        enqueueWoken(t);
    }

    /** signal_wake_up of a sleeper of this CPU: it is woken and placed like any wake-up. */
    void signalWake(TaskControl t) {
        running(t);
        int target = selectAndTrace(t);
        if (target != c.id) {
            moveTo(t, target, false, false);
        } else {
            enqueueWoken(t);
        }
    }

    /** A per-CPU thread of this CPU is woken (ksoftirqd): no placement, the wake-up is queued here. */
    void wakeHere(TaskControl k) {
        balance.posted(c.id);
        c.post(new Cpu.WakeUp(c.now, new WaitHandle(c.id, k, k.waitToken), false), c.id, ContextLevel.KERNEL, source());
    }

    /** ttwu_do_wakeup: the task is runnable again. */
    private static void running(TaskControl t) {
        t.waitToken++;
        t.wakePending = false;
        t.killable = false;
        t.state = 'R';
    }

    /** A woken task is queued here; the wake-to-run statistics start. */
    private void enqueueWoken(TaskControl t) {
        t.wokenAt = c.now;
        enqueue(t, false);
    }

    /** activate_task + wakeup_preempt on this CPU, and the preemption that may follow at once. */
    private void enqueue(TaskControl t, boolean fresh) {
        rq.activate(t, fresh, c.now);
        rq.checkPreempt(t, c.now);
        preemptIfNeeded();
    }

    /** The running task leaves the CPU now, keeping the cost it had left (a preemption, "R+"). */
    void preemptRunning(Frame top) {
        c.preempt(top);
        c.schedPreemptions++;
        schedule(PREEMPTED);
    }

    /** A queued task of this CPU that is not running goes to CPU {@code target}. */
    private void detachTo(dev.kctx.actors.sched.SchedTask p, int target) {
        rq.deactivate(p, c.now);
        moveTo((TaskControl) p, target, false);
    }

    /** newidle_balance / pull_rt_task / load_balance: ask CPU {@code src} for a task to run here. */
    private void askForTask(int src) {
        balance.posted(c.id);
        c.post(new Pull(c.now, c.id), src, ContextLevel.KERNEL, source());
    }

    /** This CPU's source id in the calendar (the one its soft IRQs and timers use). */
    private int source() {
        return -2 - c.id;
    }

    /** The RT period timer fires. */
    void onTimer(Cpu.SchedTimer st) {
        if (st.time() == rtTimerAt) {
            rtTimerAt = -1;
        }
        rq.periodTimer(c.now);
        armRtTimer();
        preemptIfNeeded();
    }

    /** prev_state of a task preempted while runnable; sched_switch prints it "R+". */
    static final char PREEMPTED = '+';

    /**
     * __schedule: the current task leaves the CPU (deactivated if it sleeps or exits, put back if
     * still runnable), the run queue picks the next one (or idle), and the switch is traced with
     * the kernel's prio numbers. Then the CPU's balancing: an idle CPU, or one that now runs below
     * an RT task waiting elsewhere, asks for a task (newidle_balance, pull_rt_task); one with an RT
     * task that cannot run here pushes it (push_rt_task).
     */
    void schedule(char prevState) {
        // the stopper thread (stop_sched_class) is picked before every other class
        c.lockups.stopperRuns();
        TaskControl prev = c.cur;
        if (prev != c.idle) {
            Frame f = c.frames.pop();
            if (f != prev.frame || !c.frames.isEmpty()) {
                throw new IllegalStateException("cpu " + c.id + ": schedule() with interrupt frames on the stack");
            }
            if (prevState != 'R' && prevState != PREEMPTED && prev.queued()) {
                rq.deactivate(prev, c.now);
            }
        }
        TaskControl leaving = null;
        if (prev == preemptForMove) {
            preemptForMove = null;
            if (prev.queued() && !prev.mayRunOn(c.id)) {
                rq.deactivate(prev, c.now);
                leaving = prev;
            }
        }
        TaskControl next = (TaskControl) rq.pickNext(prev == c.idle ? null : prev, c.now);
        if (next == null) {
            next = c.idle;
        }
        if (next != prev) {
            c.contextSwitches++;
            prev.switches++;
            if (c.traceEnabled) {
                String prevComm = prev == c.idle ? Idle.comm(c.id) : prev.comm;
                String nextComm = next == c.idle ? Idle.comm(c.id) : next.comm;
                int prevPrio = prev == c.idle ? Idle.PRIO : prev.prio();
                int nextPrio = next == c.idle ? Idle.PRIO : next.prio();
                String state = prevState == PREEMPTED ? "R+" : String.valueOf(prevState);
                c.record("sched_switch", "prev_comm=" + prevComm + " prev_pid=" + prev.pid + " prev_prio=" + prevPrio
                        + " prev_state=" + state + " ==> next_comm=" + nextComm + " next_pid=" + next.pid
                        + " next_prio=" + nextPrio, next.pid);
            }
        }
        c.cur = next;
        // CONFIG_PREEMPT_RCU follows the preemption model (kernel/rcu/Kconfig: default y if PREEMPTION).
        next.atomic.setPreemptibleRcu(c.spec.preempt() == MachineSpec.Preempt.FULL);
        if (next != c.idle) {
            if (next.wokenAt >= 0) {
                if (next.wokenFromSoftirq) {
                    c.softirqWakeToRun.recordValue(c.now - next.wokenAt);
                }
                next.wokenAt = -1;
                next.wokenFromSoftirq = false;
            }
            c.frames.push(next.frame);
            if (next.frame.status == Status.PREEMPTED) {
                c.resume(next.frame);
            }
            armTick();
        }
        armRtTimer();
        if (leaving != null) {
            moveTo(leaving, balance.selectTaskRq(leaving, c.id), false);
        }
        if (balance.cpus() > 1) {
            balanceAfterSwitch();
        }
    }

    private void balanceAfterSwitch() {
        if (c.cur == c.idle || !c.cur.rt()) {
            int src = balance.pullSource(c.id);
            if (src >= 0) {
                askForTask(src);
            }
        }
        pushRt();
    }

    /** push_rt_tasks: queued RT tasks that would run at once on another CPU go there. */
    private void pushRt() {
        for (int i = 0; i < 4; i++) {
            dev.kctx.actors.sched.SchedTask p = balance.rtPushCandidate(rq);
            if (p == null) {
                return;
            }
            int target = balance.pushTarget(p, c.id);
            if (target < 0) {
                return;
            }
            detachTo(p, target);
        }
    }

    /**
     * select_task_rq for a task being woken from this CPU; when it goes to another CPU,
     * set_task_cpu's sched_migrate_task is traced, then sched_wakeup with the chosen target.
     */
    private int selectAndTrace(TaskControl t) {
        int from = t.cpu();
        int target = balance.selectTaskRq(t, from);
        if (target != from && c.traceEnabled) {
            c.record("sched_migrate_task", "comm=" + t.comm + " pid=" + t.pid + " prio=" + t.prio() + " orig_cpu="
                    + from + " dest_cpu=" + target, t.pid);
        }
        if (c.traceEnabled) {
            c.record("sched_wakeup", "comm=" + t.comm + " pid=" + t.pid + " prio=" + t.prio() + " target_cpu="
                    + String.format("%03d", target), t.pid);
        }
        return target;
    }

    /** A runnable task that is on no run queue goes to CPU {@code target} (set_task_cpu + a calendar event). */
    void moveTo(TaskControl t, int target, boolean fresh) {
        moveTo(t, target, fresh, true);
    }

    /** The same; {@code trace} false when select_task_rq's sched_migrate_task was traced already. */
    private void moveTo(TaskControl t, int target, boolean fresh, boolean trace) {
        int from = t.cpu();
        t.setCpu(target);
        if (trace && c.traceEnabled && from != target && !t.sleeping()) {
            c.record("sched_migrate_task", "comm=" + t.comm + " pid=" + t.pid + " prio=" + t.prio() + " orig_cpu="
                    + from + " dest_cpu=" + target, t.pid);
        }
        balance.posted(target);
        c.post(new Migrate(c.now, t, fresh), target, ContextLevel.KERNEL, source());
    }

    /** wake_up_new_task on this CPU: traced, queued at V, may preempt. */
    private void wakeUpNew(TaskControl task) {
        if (c.traceEnabled) {
            c.record("sched_wakeup_new", "comm=" + task.comm + " pid=" + task.pid + " prio=" + task.prio() + " target_cpu="
                    + String.format("%03d", c.id), task.pid);
        }
        enqueue(task, true);
    }

    /** A task moved here from another CPU. */
    void onMigrate(Migrate m) {
        balance.arrived(c.id);
        TaskControl t = m.task();
        if (t.cpu() != c.id) {
            t.setCpu(c.id);
        }
        if (m.fresh()) {
            wakeUpNew(t);
        } else {
            enqueue(t, false);
        }
    }

    /** Another CPU asks for a task: detach one it may run (RT first) and send it there. */
    void onPull(Pull p) {
        balance.arrived(p.dst());
        dev.kctx.actors.sched.SchedTask t = balance.waitingRt(rq, p.dst());
        if (t != null && t.prio() >= balance.rq(p.dst()).currPrio()) {
            t = null;
        }
        if (t == null) {
            RunQueue dst = balance.rq(p.dst());
            if (dst.nrRunning() + 1 >= rq.nrRunning()) {
                return;
            }
            t = balance.movableFair(rq, p.dst());
        }
        if (t != null) {
            detachTo(t, p.dst());
        }
    }

    /** sched_setattr / sched_setaffinity for a task of this CPU. */
    void onSetAttr(SetAttr a) {
        TaskControl t = allTasks.get(a.pid());
        if (t == null || t.state == 'X') {
            return;
        }
        if (t.cpu() != c.id) {
            c.post(a, t.cpu(), ContextLevel.KERNEL, source());
            return;
        }
        if (a.attr() != null) {
            rq.setAttr(t, a.attr(), c.now);
        }
        if (a.allowed() != null) {
            t.setAllowed(a.allowed());
            if (!t.mayRunOn(c.id) && t.queued()) {
                // __set_cpus_allowed_ptr: a task that may no longer run here moves (migration_cpu_stop)
                if (t == c.cur) {
                    rq.reschedCurr();
                    preemptForMove = t;
                } else {
                    detachTo(t, balance.selectTaskRq(t, c.id));
                }
            }
        }
        preemptIfNeeded();
    }

    /** True when the running task {@code t} may no longer run here (sched_setaffinity): its next switch moves it. */
    boolean mustLeave(TaskControl t) {
        return t == preemptForMove;
    }

    /** The running task that must leave this CPU at its next switch (its affinity changed). */
    private TaskControl preemptForMove;

    /**
     * scheduler_tick: charge the running task, let the classes decide whether it must go
     * (need_resched), balance, and arm the next tick. An idle CPU has no tick (NO_HZ_IDLE).
     */
    void onTick(Tick t) {
        if (t.gen() != tickGen) {
            return;
        }
        tickAt = -1;
        if (c.cur == c.idle) {
            return;
        }
        ticks++;
        rq.tick(c.now);
        armTick();
        armRtTimer();
        if (balance.cpus() > 1) {
            tickBalance();
        }
        preemptIfNeeded();
    }

    /** The tick's balancing: kick an idle CPU to take a waiting task (nohz), periodic pull, RT push. */
    private void tickBalance() {
        int idleCpu = balance.idleCpuFor(rq);
        if (idleCpu >= 0) {
            dev.kctx.actors.sched.SchedTask p = balance.movableFair(rq, idleCpu);
            if (p != null) {
                detachTo(p, idleCpu);
            }
        }
        if (ticks % balance.busyIntervalTicks == 0) {
            int src = balance.periodicPullSource(c.id);
            if (src >= 0) {
                askForTask(src);
            }
        }
        pushRt();
    }

    /** The next tick at the next multiple of TICK_NSEC (jiffies), if none is pending. */
    private void armTick() {
        if (tickAt >= c.now) {
            // a tick is pending (one due at this very instant included)
            return;
        }
        long period = rq.settings().tickNs();
        tickAt = (c.now / period + 1) * period;
        tickGen++;
        c.post(new Tick(tickAt, tickGen), c.id, ContextLevel.KERNEL, source());
    }

    /** The RT period timer, while RT throttling holds this CPU's RT tasks back. */
    private void armRtTimer() {
        long end = rq.throttleEnd();
        if (end < 0 || rtTimerAt == end) {
            return;
        }
        rtTimerAt = end;
        c.post(new SchedTimer(end), c.id, ContextLevel.KERNEL, source());
    }

    /**
     * need_resched was set: a task running at a preemption point its model allows leaves the CPU
     * now (user mode always; kernel mode with preempt=full and preempt_count 0); otherwise at the
     * next point (interrupt exit, cond_resched, return to user mode, sleep).
     */
    void preemptIfNeeded() {
        if (!rq.needResched() || c.cur == c.idle) {
            return;
        }
        Frame top = c.frames.peek();
        if (top != null && top == c.cur.frame && c.preemptible(c.cur) && top.status != Status.NEEDS_RUN
                && top.status != Status.DONE) {
            preemptRunning(top);
        }
    }

    /**
     * try_to_wake_up from this CPU: a sleeping task is placed (select_task_rq, traced here as the
     * kernel traces it in the waker's context) and the wake-up goes to the chosen CPU through the
     * calendar; an interrupt frame waiting on its own CPU is woken there.
     */
    void wakeUp(WaitHandle h, int source, boolean fromSoftirq) {
        if (h.waiter() instanceof TaskControl t) {
            if (t.waitToken != h.token() || !t.sleeping() || t.wakePending) {
                return;
            }
            t.wakePending = true;
            t.wokenFromSoftirq = fromSoftirq;
            int target = selectAndTrace(t);
            balance.posted(target);
            c.post(new WakeUp(c.now, h, false), target, ContextLevel.KERNEL, source);
            return;
        }
        c.post(new WakeUp(c.now, h, false), h.cpu(), ContextLevel.KERNEL, source);
    }
}
