package dev.kctx.actors.sched;

import java.util.BitSet;

/**
 * The scheduler's part of a task (task_struct's policy, prio, cpus_mask, sched_entity and
 * sched_rt_entity). The engine's task extends it; a run queue holds these.
 */
public class SchedTask {
    public final int pid;
    public final String comm;
    SchedAttr attr;
    long weight;
    int inverse;
    /** task_cpu(): the CPU whose run queue has (or last had) the task. */
    int cpu;
    /** cpus_mask; null allows every CPU. */
    BitSet allowed;
    /** The single CPU of cpus_mask, or -1 (a pinned task's placement needs no search). */
    private int onlyCpu = -1;
    /** Per-CPU kernel threads (ksoftirqd/N, kworker/N, kthreads bound with a CPU): sched_setaffinity gives EINVAL (PF_NO_SETAFFINITY). */
    boolean noSetAffinity;
    /** task_on_rq_queued(). */
    boolean queued;

    // sched_entity (fair.c)
    long vruntime;
    long deadline;
    /** Lag at dequeue; while the entity runs, a copy of its deadline (set_next_entity's RUN_TO_PARITY hack). */
    long vlag;
    long slice;
    long execStart;
    long sumExecRuntime;
    /** se->on_rq. */
    boolean seOnRq;
    /** Insertion order among equal vruntimes: a later one goes to the right, as __enqueue_entity does. */
    long treeSeq;

    // sched_rt_entity (rt.c)
    /** SCHED_RR ticks left in the time slice. */
    int rrTicks;

    public SchedTask(int pid, String comm, int cpu, SchedAttr attr) {
        this.pid = pid;
        this.comm = comm;
        this.cpu = cpu;
        setAttr(attr);
    }

    /** Sets policy, priority and weight; only while not queued (the run queue does the rest). */
    final void setAttr(SchedAttr a) {
        this.attr = a;
        this.weight = LoadWeight.weight(a);
        this.inverse = LoadWeight.inverse(a);
    }

    public final SchedAttr attr() {
        return attr;
    }

    /** The kernel's prio: 99 - rt_priority for RT, 120 + nice for fair; what traces print. */
    public final int prio() {
        return attr.prio();
    }

    public final int cpu() {
        return cpu;
    }

    /** set_task_cpu: only for a task on no run queue (asleep, or being moved). */
    public final void setCpu(int c) {
        if (queued) {
            throw new IllegalStateException(comm + "/" + pid + " is queued on CPU " + cpu + "; dequeue it before moving it");
        }
        cpu = c;
    }

    public final boolean queued() {
        return queued;
    }

    /** The CPUs the task may run on (a copy), or null for all. */
    public final BitSet allowed() {
        return allowed == null ? null : (BitSet) allowed.clone();
    }

    /** Sets cpus_mask (null: every CPU). The caller checks it is not empty and moves the task if needed. */
    public final void setAllowed(BitSet mask) {
        allowed = mask == null ? null : (BitSet) mask.clone();
        onlyCpu = allowed != null && allowed.cardinality() == 1 ? allowed.nextSetBit(0) : -1;
    }

    /** The one CPU the task may run on, or -1 when it may run on several. */
    final int onlyCpu() {
        return onlyCpu;
    }

    public final boolean mayRunOn(int c) {
        return allowed == null || allowed.get(c);
    }

    /** A per-CPU kernel thread: its affinity cannot be changed. */
    public final void bindToCpu(int c) {
        BitSet b = new BitSet();
        b.set(c);
        allowed = b;
        onlyCpu = c;
        noSetAffinity = true;
    }

    public final boolean noSetAffinity() {
        return noSetAffinity;
    }

    /** se.sum_exec_runtime: the CPU time the task has had, in ns. */
    public final long sumExecRuntime() {
        return sumExecRuntime;
    }

    public final long vruntime() {
        return vruntime;
    }

    public final long deadline() {
        return deadline;
    }

    public final long vlag() {
        return vlag;
    }

    public final long weight() {
        return weight;
    }

    public final boolean rt() {
        return attr.policy().realtime();
    }
}
