package dev.kctx.actors.sched;

/**
 * The cross-CPU decisions of the scheduler, over the run queues of one machine (its root
 * domain): where a waking task goes (select_task_rq_fair's select_idle_sibling,
 * select_task_rq_rt's find_lowest_rq), which CPU an idle or lightly loaded CPU pulls from
 * (newidle_balance, the periodic load_balance and the nohz idle balance kick), and where an RT
 * task that cannot run here is pushed (push_rt_task). It only reads other CPUs' run queues; the
 * moves themselves go through the machine's calendar as events, so every CPU changes only its
 * own queue.
 *
 * <p>Simplified, and said so: one scheduling domain spanning every CPU, one last-level cache (no
 * SMT, no NUMA), load counted as runnable tasks rather than PELT's decayed utilisation, no
 * cache-hot check (sysctl_sched_migration_cost), no wake_affine; a busy CPU's periodic balance
 * runs every {@link #busyIntervalTicks} ticks.
 */
public final class Balance {
    private final RunQueue[] rqs;
    /** Wake-ups and moves posted to each CPU but not yet arrived (ttwu_pending). */
    private final int[] incoming;
    /** A busy CPU's balance interval: sd->balance_interval (one ms per CPU) times busy_factor 16. */
    public final int busyIntervalTicks;

    public Balance(RunQueue[] rqs) {
        this.rqs = rqs;
        this.incoming = new int[rqs.length];
        long tick = rqs.length == 0 ? 4_000_000L : rqs[0].settings.tickNs();
        long interval = Math.max(1, Math.min(rqs.length, 64)) * 1_000_000L * 16;
        this.busyIntervalTicks = (int) Math.max(1, interval / tick);
    }

    public int cpus() {
        return rqs.length;
    }

    public RunQueue rq(int cpu) {
        return rqs[cpu];
    }

    /** A wake-up or move to {@code cpu} was posted. */
    public void posted(int cpu) {
        incoming[cpu]++;
    }

    /** A posted wake-up or move reached {@code cpu}. */
    public void arrived(int cpu) {
        if (incoming[cpu] > 0) {
            incoming[cpu]--;
        }
    }

    /** available_idle_cpu(): idle, and no wake-up on its way there. */
    public boolean availableIdle(int cpu) {
        return incoming[cpu] == 0 && rqs[cpu].idle();
    }

    /** The CPU a waking {@code p} is queued on; {@code prev} is task_cpu(p). */
    public int selectTaskRq(SchedTask p, int prev) {
        int only = p.onlyCpu();
        if (only >= 0) {
            return only;
        }
        return p.rt() ? selectRt(p, prev) : selectFair(p, prev);
    }

    /**
     * select_idle_sibling: the previous CPU if it is idle, else the first idle CPU the task may
     * use, scanning from the previous one on (select_idle_cpu), else the previous CPU.
     */
    private int selectFair(SchedTask p, int prev) {
        int n = rqs.length;
        if (p.mayRunOn(prev) && availableIdle(prev)) {
            return prev;
        }
        for (int i = 1; i < n; i++) {
            int c = (prev + i) % n;
            if (p.mayRunOn(c) && availableIdle(c)) {
                return c;
            }
        }
        return p.mayRunOn(prev) ? prev : firstAllowed(p);
    }

    /**
     * select_task_rq_rt: stay on the previous CPU unless an RT task of equal or higher priority
     * runs there; then the CPU running the lowest-priority work (find_lowest_rq), if the task
     * would run there at once.
     */
    private int selectRt(SchedTask p, int prev) {
        RunQueue r = rqs[prev];
        boolean blocked = r.curr() != null && r.curr().rt() && r.curr().prio() <= p.prio();
        if (!blocked && p.mayRunOn(prev)) {
            return prev;
        }
        int target = findLowest(p, prev);
        if (target >= 0 && p.prio() < cpuPrio(target)) {
            return target;
        }
        return p.mayRunOn(prev) ? prev : firstAllowed(p);
    }

    /**
     * cpupri's view of a CPU: the priority of its most important runnable work, idle above
     * everything (200), any non-RT work 140 (CPUPRI_NORMAL). A higher number is a better target.
     */
    int cpuPrio(int cpu) {
        RunQueue r = rqs[cpu];
        if (incoming[cpu] == 0 && r.idle()) {
            return 200;
        }
        int best = 140;
        if (r.rt.nr > 0 && !r.rt.throttled) {
            best = Math.min(best, r.rt.highestPrio());
        }
        if (r.curr() != null && r.curr().rt()) {
            best = Math.min(best, r.curr().prio());
        }
        return best;
    }

    /** find_lowest_rq: the allowed CPU running the least important work; the task's own CPU on a tie. */
    int findLowest(SchedTask p, int prev) {
        int best = -1;
        int bestPrio = -1;
        if (p.mayRunOn(prev)) {
            best = prev;
            bestPrio = cpuPrio(prev);
        }
        for (int c = 0; c < rqs.length; c++) {
            if (c != prev && p.mayRunOn(c)) {
                int cp = cpuPrio(c);
                if (cp > bestPrio) {
                    best = c;
                    bestPrio = cp;
                }
            }
        }
        return best;
    }

    private int firstAllowed(SchedTask p) {
        for (int c = 0; c < rqs.length; c++) {
            if (p.mayRunOn(c)) {
                return c;
            }
        }
        throw new IllegalStateException(p.comm + "/" + p.pid + " may run on no CPU");
    }

    // ---- pulling and pushing ----

    /**
     * push_rt_task: a queued RT task of {@code rq} that is not running and would preempt the work
     * on another CPU it may use; null when there is none. The caller moves it to {@link #pushTarget}.
     */
    public SchedTask rtPushCandidate(RunQueue rq) {
        if (rq.rt.nr < 2 && !(rq.rt.nr == 1 && rq.curr() != null && !rq.curr().rt())) {
            return null;
        }
        for (SchedTask p : rq.rt.queuedInOrder()) {
            if (p != rq.curr() && pushTarget(p, rq.cpu) >= 0) {
                return p;
            }
        }
        return null;
    }

    /** The CPU an RT task queued on {@code from} would run on at once, or -1. */
    public int pushTarget(SchedTask p, int from) {
        int best = -1;
        int bestPrio = p.prio();
        for (int c = 0; c < rqs.length; c++) {
            if (c != from && p.mayRunOn(c)) {
                int cp = cpuPrio(c);
                if (cp > bestPrio) {
                    best = c;
                    bestPrio = cp;
                }
            }
        }
        return best;
    }

    /**
     * newidle_balance / pull_rt_task: for a CPU about to go idle, or to run work below a queued RT
     * task elsewhere, the CPU to ask for a task, or -1. RT first: a CPU with a queued RT task that
     * is not running and may run here; then the busiest CPU (most runnable tasks, at least two) with
     * a queued fair task that may run here.
     */
    public int pullSource(int dst) {
        if (!rqs[dst].idle() && !rtWaitingAnywhere()) {
            return -1;
        }
        int dstPrio = cpuPrio(dst);
        int rtSrc = -1;
        int rtBest = dstPrio;
        for (int c = 0; c < rqs.length; c++) {
            if (c != dst) {
                SchedTask p = waitingRt(rqs[c], dst);
                if (p != null && p.prio() < rtBest) {
                    rtSrc = c;
                    rtBest = p.prio();
                }
            }
        }
        if (rtSrc >= 0) {
            return rtSrc;
        }
        if (!rqs[dst].idle() || incoming[dst] > 0) {
            return -1;
        }
        return busiestWithMovable(dst, 2);
    }

    /**
     * The periodic balance of a busy CPU {@code cpu}: the busiest CPU with at least two tasks
     * more than this one and a queued fair task that may run here, or -1.
     */
    public int periodicPullSource(int cpu) {
        int mine = rqs[cpu].nrRunning() + incoming[cpu];
        return busiestWithMovable(cpu, mine + 2);
    }

    /**
     * The nohz idle balance kick, seen from a busy CPU at its tick: an idle CPU that may take one of
     * this CPU's waiting fair tasks, or -1.
     */
    public int idleCpuFor(RunQueue rq) {
        if (!rq.othersWaiting()) {
            return -1;
        }
        for (int i = 1; i < rqs.length; i++) {
            int c = (rq.cpu + i) % rqs.length;
            if (availableIdle(c) && movableFair(rq, c) != null) {
                return c;
            }
        }
        return -1;
    }

    private int busiestWithMovable(int dst, int atLeast) {
        int best = -1;
        int bestLoad = atLeast - 1;
        for (int c = 0; c < rqs.length; c++) {
            if (c == dst) {
                continue;
            }
            int load = rqs[c].nrRunning();
            if (load > bestLoad && movableFair(rqs[c], dst) != null) {
                best = c;
                bestLoad = load;
            }
        }
        return best;
    }

    /** True when some CPU has more RT tasks queued than the one it runs (rto_mask is not empty). */
    private boolean rtWaitingAnywhere() {
        for (RunQueue r : rqs) {
            if (r.rt.nr > 1 || r.rt.nr == 1 && (r.curr() == null || !r.curr().rt())) {
                return true;
            }
        }
        return false;
    }

    /** A queued RT task of {@code src} that is not running and may run on {@code dst}, highest priority first. */
    public SchedTask waitingRt(RunQueue src, int dst) {
        if (src.rt.nr == 0) {
            return null;
        }
        for (SchedTask p : src.rt.queuedInOrder()) {
            if (p != src.curr() && p.mayRunOn(dst)) {
                return p;
            }
        }
        return null;
    }

    /**
     * detach_tasks' choice: of {@code src}'s queued fair tasks that are not running and may run on
     * {@code dst}, the one furthest right in the tree (it would wait longest), or null.
     */
    public SchedTask movableFair(RunQueue src, int dst) {
        FairRq q = src.cfs;
        for (int i = q.treeSize() - 1; i >= 0; i--) {
            SchedTask p = q.treeAt(i);
            if (p != src.curr() && p.mayRunOn(dst) && !p.noSetAffinity) {
                return p;
            }
        }
        return null;
    }
}
