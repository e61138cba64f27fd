package dev.kctx.actors.sched;

/**
 * The fair class's run queue (cfs_rq) with EEVDF, as kernel/sched/fair.c of Linux 6.6 has it,
 * without group scheduling. Features as 6.6 enables them by default: PLACE_LAG,
 * PLACE_DEADLINE_INITIAL, RUN_TO_PARITY and WAKEUP_PREEMPTION on, NEXT_BUDDY off. In 6.6
 * PLACE_DEADLINE_INITIAL is in effect a no-op: task_fork_fair places the child with half a slice,
 * but wake_up_new_task's enqueue places it again without ENQUEUE_INITIAL, with a full slice (the
 * bug that "sched/fair: Preserve PLACE_DEADLINE_INITIAL deadline", fixing e8f331bcc270, addresses
 * in later kernels); kctx does what 6.6 does.
 *
 * <p>Virtual time: each entity's vruntime advances by its run time scaled by NICE_0_LOAD / weight
 * (update_curr). The queue's weighted average V ({@link #avgVruntime()}) is kept as
 * avg_vruntime/avg_load relative to min_vruntime, exactly as the kernel keeps it, rounding
 * included. An entity is eligible when its vruntime is at most V (entity_eligible); its virtual
 * deadline is vruntime + slice / weight (update_deadline); the pick is the eligible entity with the
 * earliest deadline (pick_eevdf). The running entity is not in the tree, as in the kernel.
 *
 * <p>The tree is an array kept sorted by (vruntime, insertion order): the kernel's rbtree order,
 * where an entity with an equal vruntime goes to the right of those already there. The pick walks
 * it from the left while entities are eligible (eligibility is monotone in vruntime), which is
 * the augmented tree's answer; among equal deadlines it takes the leftmost.
 */
public final class FairRq {
    private final RunQueue rq;
    private SchedTask[] tree = new SchedTask[8];
    private int size;
    private long seq;
    /** cfs_rq->curr: the running fair entity, out of the tree. */
    SchedTask curr;
    /** cfs_rq->nr_running: entities on the queue, the running one included. */
    int nrRunning;
    long minVruntime;
    /** cfs_rq->avg_vruntime: sum of (v_i - min_vruntime) * w_i over the tree. */
    long avgVruntime;
    /** cfs_rq->avg_load: sum of w_i over the tree. */
    long avgLoad;

    FairRq(RunQueue rq) {
        this.rq = rq;
    }

    public int nrRunning() {
        return nrRunning;
    }

    public SchedTask curr() {
        return curr;
    }

    public long minVruntime() {
        return minVruntime;
    }

    private long key(SchedTask se) {
        return se.vruntime - minVruntime;
    }

    private static long calcDeltaFair(long delta, SchedTask se) {
        return LoadWeight.calcDeltaFair(delta, se.weight, se.inverse);
    }

    // ---- avg_vruntime_add/sub/update ----

    private void avgAdd(SchedTask se) {
        avgVruntime += key(se) * se.weight;
        avgLoad += se.weight;
    }

    private void avgSub(SchedTask se) {
        avgVruntime -= key(se) * se.weight;
        avgLoad -= se.weight;
    }

    /** The weighted key sum with the running entity in (it is kept out of the tree and the sums). */
    private long sumWithCurr() {
        SchedTask c = curr;
        return c != null && c.seOnRq ? avgVruntime + key(c) * c.weight : avgVruntime;
    }

    /** The load with the running entity in. */
    private long loadWithCurr() {
        SchedTask c = curr;
        return c != null && c.seOnRq ? avgLoad + c.weight : avgLoad;
    }

    /** avg_vruntime(): V, the load-weighted average vruntime of the queue, the running entity included. */
    public long avgVruntime() {
        long avg = sumWithCurr();
        long load = loadWithCurr();
        if (load != 0) {
            // sign flips effective floor / ceil
            if (avg < 0) {
                avg -= load - 1;
            }
            avg = avg / load;
        }
        return minVruntime + avg;
    }

    /** entity_eligible(): vruntime <= V, compared without the division. */
    public boolean eligible(SchedTask se) {
        return sumWithCurr() >= key(se) * loadWithCurr();
    }

    /** update_min_vruntime(): the smaller of the running and the leftmost vruntime, never moving back. */
    private void updateMinVruntime() {
        long vruntime = minVruntime;
        SchedTask c = curr;
        if (c != null) {
            if (c.seOnRq) {
                vruntime = c.vruntime;
            } else {
                c = null;
            }
        }
        if (size > 0) {
            SchedTask left = tree[0];
            vruntime = c == null ? left.vruntime : Math.min(vruntime, left.vruntime);
        }
        long delta = vruntime - minVruntime;
        if (delta > 0) {
            // avg_vruntime_update: the keys are relative to min_vruntime
            avgVruntime -= avgLoad * delta;
            minVruntime = vruntime;
        }
    }

    // ---- the tree ----

    private void insert(SchedTask se) {
        if (size == tree.length) {
            tree = java.util.Arrays.copyOf(tree, size * 2);
        }
        se.treeSeq = seq++;
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            // entity_before: strictly smaller vruntime goes left; equal ones go right of those present
            if (se.vruntime - tree[mid].vruntime < 0) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        System.arraycopy(tree, lo, tree, lo + 1, size - lo);
        tree[lo] = se;
        size++;
        avgAdd(se);
    }

    private void remove(SchedTask se) {
        int i = indexOf(se);
        System.arraycopy(tree, i + 1, tree, i, size - i - 1);
        tree[--size] = null;
        avgSub(se);
    }

    private int indexOf(SchedTask se) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            SchedTask m = tree[mid];
            long d = se.vruntime - m.vruntime;
            if (d < 0 || d == 0 && se.treeSeq < m.treeSeq) {
                hi = mid;
            } else if (m == se) {
                return mid;
            } else {
                lo = mid + 1;
            }
        }
        throw new IllegalStateException(se.comm + "/" + se.pid + " is not in the fair tree of CPU " + rq.cpu);
    }

    // ---- update_curr, update_deadline, place_entity, update_entity_lag ----

    /** update_curr(): charges the running entity's time since it was last charged. */
    void updateCurr(long now) {
        SchedTask c = curr;
        if (c == null) {
            return;
        }
        long delta = now - c.execStart;
        if (delta <= 0) {
            return;
        }
        c.execStart = now;
        c.sumExecRuntime += delta;
        c.vruntime += calcDeltaFair(delta, c);
        updateDeadline(c);
        updateMinVruntime();
    }

    /** update_deadline(): a new request once the deadline is reached; reschedule if others wait. */
    private void updateDeadline(SchedTask se) {
        if (se.vruntime - se.deadline < 0) {
            return;
        }
        se.slice = rq.settings.baseSliceNs();
        se.deadline = se.vruntime + calcDeltaFair(se.slice, se);
        if (nrRunning > 1) {
            rq.reschedCurr();
        }
    }

    /**
     * place_entity(): puts a joining entity at V minus its lag, the lag scaled up so that adding
     * it does not move V (PLACE_LAG), with its deadline a slice later. A new task ({@code initial})
     * gets the full slice as well: in 6.6 the half slice of PLACE_DEADLINE_INITIAL, given at fork,
     * is overwritten by this placement at wake_up_new_task (see the class comment).
     */
    private void placeEntity(SchedTask se, boolean initial) {
        long vruntime = avgVruntime();
        long lag = 0;
        se.slice = rq.settings.baseSliceNs();
        long vslice = calcDeltaFair(se.slice, se);
        if (nrRunning > 0) {
            lag = se.vlag;
            long load = avgLoad;
            SchedTask c = curr;
            if (c != null && c.seOnRq) {
                load += c.weight;
            }
            lag *= load + se.weight;
            if (load == 0) {
                load = 1;
            }
            lag = lag / load;
        }
        se.vruntime = vruntime - lag;
        se.deadline = se.vruntime + vslice;
    }

    /** update_entity_lag(): lag = V - v, clamped to the larger of two slices and a tick, in virtual time. */
    private void updateEntityLag(SchedTask se) {
        long lag = avgVruntime() - se.vruntime;
        long limit = calcDeltaFair(Math.max(2 * se.slice, rq.settings.tickNs()), se);
        se.vlag = Math.max(-limit, Math.min(limit, lag));
    }

    // ---- enqueue, dequeue, pick, put ----

    /** enqueue_entity(): placement, then into the tree (unless it is the running entity). */
    void enqueue(SchedTask se, boolean initial, long now) {
        boolean isCurr = curr == se;
        if (isCurr) {
            placeEntity(se, initial);
        }
        updateCurr(now);
        if (!isCurr) {
            placeEntity(se, initial);
        }
        nrRunning++;
        if (!isCurr) {
            insert(se);
        }
        se.seOnRq = true;
    }

    /** dequeue_entity(): the lag is kept for the next placement. */
    void dequeue(SchedTask se, long now) {
        updateCurr(now);
        updateEntityLag(se);
        if (se != curr) {
            remove(se);
        }
        se.seOnRq = false;
        nrRunning--;
        updateMinVruntime();
    }

    /**
     * pick_eevdf(): the eligible entity with the earliest virtual deadline; the running one keeps
     * the CPU while it is eligible and has not been given a new slice since it was picked
     * (RUN_TO_PARITY).
     */
    public SchedTask pickEevdf() {
        SchedTask c = curr;
        if (c != null && (!c.seOnRq || !eligible(c))) {
            c = null;
        }
        if (c != null && c.vlag == c.deadline) {
            return c;
        }
        long avg = sumWithCurr();
        long load = loadWithCurr();
        SchedTask best = null;
        for (int i = 0; i < size; i++) {
            SchedTask se = tree[i];
            if (avg < key(se) * load) {
                break;
            }
            if (best == null || best.deadline - se.deadline > 0) {
                best = se;
            }
        }
        if (best == null || c != null && best.deadline - c.deadline > 0) {
            best = c;
        }
        if (best == null && size > 0) {
            // "EEVDF scheduling fail, picking leftmost"
            best = tree[0];
        }
        return best;
    }

    /** set_next_entity(): the picked entity leaves the tree; its deadline is stashed in vlag. */
    void setNext(SchedTask se, long now) {
        if (se.seOnRq) {
            remove(se);
            se.vlag = se.deadline;
        }
        se.execStart = now;
        curr = se;
    }

    /** put_prev_entity(): the running entity goes back into the tree if it is still queued. */
    void putPrev(SchedTask prev, long now) {
        if (prev.seOnRq) {
            updateCurr(now);
            insert(prev);
        }
        curr = null;
    }

    /**
     * check_preempt_wakeup(): does the woken {@code p} preempt the running {@code running}? An
     * idle-policy task is preempted by any other; batch and idle wakees never preempt (the tick
     * does); otherwise p preempts when it is what pick_eevdf would pick now.
     */
    boolean wakeupPreempt(SchedTask running, SchedTask p, long now) {
        if (running == p) {
            return false;
        }
        boolean runningIdle = running.attr.policy() == Policy.IDLE;
        if (runningIdle && p.attr.policy() != Policy.IDLE) {
            return true;
        }
        if (p.attr.policy() != Policy.NORMAL) {
            return false;
        }
        updateCurr(now);
        return pickEevdf() == p;
    }

    /** yield_task_fair(): the running entity's deadline moves one slice on, so others go first. */
    void yieldCurr(long now, int rqRunning) {
        SchedTask c = curr;
        if (c == null || rqRunning == 1) {
            return;
        }
        updateCurr(now);
        c.deadline += calcDeltaFair(c.slice, c);
    }

    /** reweight_entity() for an entity off the queue: vlag is w-scaled lag, so it scales with the weight. */
    static void reweightDequeued(SchedTask se, long oldWeight) {
        se.vlag = se.vlag * oldWeight / se.weight;
    }

    /** How many entities are in the tree (the running one is not). */
    int treeSize() {
        return size;
    }

    /** The tree's {@code i}-th entity from the left. */
    SchedTask treeAt(int i) {
        return tree[i];
    }
}
