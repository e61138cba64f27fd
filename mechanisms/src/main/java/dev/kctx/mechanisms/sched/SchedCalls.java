package dev.kctx.mechanisms.sched;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.sched.Policy;
import dev.kctx.actors.sched.SchedAttr;
import dev.kctx.contexts.KernelCall;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;

import java.util.BitSet;

/**
 * The kernel side of the scheduling calls as Linux 6.6 checks them (kernel/sched/core.c,
 * kernel/sys.c), in the caller's process context: each answers the call's value or throws a
 * {@link KernelError} with the kernel's errno, in the kernel's order of checks. Every task has
 * init_task's RLIMIT_RTPRIO and RLIMIT_NICE (both 0), so raising a priority takes CAP_SYS_NICE.
 * Nothing here blocks or reads the wall clock; the change itself is the engine's
 * ({@link Exec#schedSet}).
 */
public final class SchedCalls {
    /** RLIMIT_RTPRIO and RLIMIT_NICE of init_task (include/asm-generic/resource.h INIT_RLIMITS), inherited by all. */
    public static final int RLIMIT_RTPRIO = 0;
    public static final int RLIMIT_NICE = 0;
    /** MIN_NICE and MAX_NICE (include/linux/sched/prio.h). */
    public static final int MIN_NICE = SchedAttr.MIN_NICE;
    public static final int MAX_NICE = SchedAttr.MAX_NICE;
    /** sched_set_fifo's priority: MAX_RT_PRIO / 2. */
    public static final int FIFO_PRIORITY = SchedAttr.MAX_RT_PRIO / 2;

    private SchedCalls() {
    }

    /**
     * sched_setscheduler(pid, policy, &param): SYSCALL_DEFINE3(sched_setscheduler) refuses a
     * negative policy and do_sched_setscheduler a negative pid (EINVAL), then a pid nobody has
     * (ESRCH, pid 0 being the caller); _sched_setscheduler keeps the task's nice for
     * {@link #setscheduler(Exec, int, SchedAttr, int, int, int)}.
     */
    public static long schedSetscheduler(Exec x, int pid, int policy, int priority) {
        if (policy < 0 || pid < 0) {
            throw new KernelError(Errno.EINVAL);
        }
        int target = pid == 0 ? x.pid() : pid;
        SchedAttr cur = existing(x, target);
        return setscheduler(x, target, cur, policy, priority, cur.nice());
    }

    /**
     * sched_setattr(pid, &attr, 0): EINVAL for a negative pid; sched_copy_attr clamps sched_nice to
     * -20..19 (the kernel's comment: "be lenient like existing syscalls"); a negative policy is
     * EINVAL, a pid nobody has ESRCH; then {@link #setscheduler(Exec, int, SchedAttr, int, int, int)}.
     */
    public static long schedSetattr(Exec x, int pid, int policy, int priority, int nice) {
        if (pid < 0) {
            throw new KernelError(Errno.EINVAL);
        }
        int clamped = clampNice(nice);
        if (policy < 0) {
            throw new KernelError(Errno.EINVAL);
        }
        int target = pid == 0 ? x.pid() : pid;
        return setscheduler(x, target, existing(x, target), policy, priority, clamped);
    }

    /**
     * __sched_setscheduler(p, attr, user = true, pi = true): valid_policy (a number kctx does not
     * schedule, SCHED_DEADLINE's 6 among them, is EINVAL: without its runtime __checkparam_dl
     * refuses it too), rt_priority 1..99 for SCHED_FIFO and SCHED_RR and 0 for the others (EINVAL),
     * then user_check_sched_setscheduler (EPERM). Unchanged parameters change nothing (its
     * {@code policy == p->policy} exit). __setscheduler_params sets the nice value for
     * SCHED_NORMAL and SCHED_BATCH only (fair_policy): an RT or SCHED_IDLE task keeps its own.
     */
    static long setscheduler(Exec x, int target, SchedAttr cur, int policyNumber, int priority, int nice) {
        Policy policy = Policy.ofNumber(policyNumber);
        if (policy == null) {
            throw new KernelError(Errno.EINVAL);
        }
        // sched_attr.sched_priority is a u32: a negative priority is a huge one, out of range as well
        if (SchedAttr.invalid(policy, priority, 0) != null) {
            throw new KernelError(Errno.EINVAL);
        }
        SchedAttr next = new SchedAttr(policy, priority, fairPolicy(policy) ? nice : cur.nice());
        userCheck(x, target, cur, next);
        if (!next.equals(cur)) {
            x.schedSet(target, next, null);
        }
        return 0;
    }

    /**
     * user_check_sched_setscheduler: a lower nice beyond RLIMIT_NICE, an RT policy without
     * RLIMIT_RTPRIO or an RT priority above it, leaving SCHED_IDLE, or another user's task each
     * need CAP_SYS_NICE (capable() is asked once, at {@code req_priv}), else EPERM.
     */
    private static void userCheck(Exec x, int target, SchedAttr cur, SchedAttr next) {
        Policy policy = next.policy();
        boolean needsPrivilege = false;
        if (fairPolicy(policy) && next.nice() < cur.nice() && !isNiceReduction(next.nice())) {
            needsPrivilege = true;
        }
        if (policy.realtime()) {
            if (policy != cur.policy() && RLIMIT_RTPRIO == 0) {
                needsPrivilege = true; // "Can't set/change the rt policy"
            }
            if (next.rtPriority() > cur.rtPriority() && next.rtPriority() > RLIMIT_RTPRIO) {
                needsPrivilege = true; // "Can't increase priority"
            }
        }
        if (cur.policy() == Policy.IDLE && policy != Policy.IDLE && !isNiceReduction(cur.nice())) {
            needsPrivilege = true; // SCHED_IDLE counts as nice 20
        }
        if (!sameOwner(x, target)) {
            needsPrivilege = true;
        }
        if (needsPrivilege && !Cred.of(x).capable(Cred.Cap.CAP_SYS_NICE)) {
            throw new KernelError(Errno.EPERM);
        }
    }

    /**
     * sched_setaffinity(pid, len, mask) (kernel/sched/core.c sched_setaffinity, __sched_setaffinity,
     * __set_cpus_allowed_ptr_locked): ESRCH for a pid nobody has (a negative pid finds nobody: there
     * is no EINVAL check); EPERM for another user's task without CAP_SYS_NICE; the mask is cut to
     * the machine's CPUs (cpuset_cpus_allowed) and EINVAL when none is left (no valid dest_cpu);
     * EINVAL for a per-CPU kernel thread (PF_NO_SETAFFINITY), checked, as the kernel does, right
     * after the lookup and before the owner.
     */
    public static long schedSetaffinity(Exec x, int pid, BitSet mask) {
        int target = pid == 0 ? x.pid() : pid;
        if (pid < 0 || x.schedAffinity(target) == null) {
            throw new KernelError(Errno.ESRCH);
        }
        if (x.schedPerCpuThread(target)) {
            throw new KernelError(Errno.EINVAL);
        }
        if (!sameOwner(x, target) && !Cred.of(x).capable(Cred.Cap.CAP_SYS_NICE)) {
            throw new KernelError(Errno.EPERM);
        }
        BitSet allowed = (BitSet) mask.clone();
        if (allowed.length() > x.cpus()) {
            allowed.clear(x.cpus(), allowed.length());
        }
        if (allowed.isEmpty()) {
            throw new KernelError(Errno.EINVAL);
        }
        x.schedSet(target, null, allowed);
        return 0;
    }

    /**
     * getpriority(PRIO_PROCESS, who) (kernel/sys.c): the nice value as nice_to_rlimit gives it,
     * 20 - nice (1..40, never negative, so never mistaken for an error); glibc subtracts it from 20
     * again. ESRCH for a pid nobody has.
     */
    public static long getpriority(Exec x, int who) {
        SchedAttr cur = existing(x, who == 0 ? x.pid() : who);
        return 20 - cur.nice();
    }

    /**
     * setpriority(PRIO_PROCESS, who, niceval) (kernel/sys.c): niceval clamped to -20..19, then
     * set_one_prio: another user's task without CAP_SYS_NICE is EPERM (set_one_prio_perm), a lower
     * nice without it EACCES (can_nice: RLIMIT_NICE is 0); set_user_nice keeps an RT task's policy
     * and only stores the nice value for when it is back in the fair class.
     */
    public static long setpriority(Exec x, int who, int niceval) {
        int nice = clampNice(niceval);
        int target = who == 0 ? x.pid() : who;
        SchedAttr cur = existing(x, target);
        boolean capable = Cred.of(x).capable(Cred.Cap.CAP_SYS_NICE);
        if (!sameOwner(x, target) && !capable) {
            throw new KernelError(Errno.EPERM);
        }
        if (nice < cur.nice() && !isNiceReduction(nice) && !capable) {
            throw new KernelError(Errno.EACCES);
        }
        if (nice != cur.nice()) {
            x.schedSet(target, cur.withNice(nice), null);
        }
        return 0;
    }

    /** do_sched_yield (kernel/sched/core.c): the class's yield_task, then schedule(); sched_yield(2) returns 0. */
    public static Op yield() {
        return Yield.INSTANCE;
    }

    /** sched_set_fifo(current) (kernel/sched/core.c): SCHED_FIFO at MAX_RT_PRIO / 2, what drivers give their threads. */
    public static Op schedSetFifo() {
        return new SetCurrent("sched_set_fifo", Policy.FIFO, FIFO_PRIORITY, null);
    }

    /** sched_set_fifo_low(current): SCHED_FIFO at priority 1, "above SCHED_NORMAL" and no more. */
    public static Op schedSetFifoLow() {
        return new SetCurrent("sched_set_fifo_low", Policy.FIFO, 1, null);
    }

    /** sched_set_normal(current, nice): back to SCHED_NORMAL at {@code nice} (-20..19). */
    public static Op schedSetNormal(int nice) {
        if (nice < MIN_NICE || nice > MAX_NICE) {
            throw new IllegalArgumentException("nice must be between -20 and 19, not " + nice);
        }
        return new SetCurrent("sched_set_normal", Policy.NORMAL, 0, nice);
    }

    /** fair_policy in kernel/sched/sched.h: SCHED_NORMAL and SCHED_BATCH (not SCHED_IDLE). */
    static boolean fairPolicy(Policy p) {
        return p == Policy.NORMAL || p == Policy.BATCH;
    }

    /** is_nice_reduction: nice_to_rlimit(nice) = 20 - nice within RLIMIT_NICE. */
    static boolean isNiceReduction(int nice) {
        return 20 - nice <= RLIMIT_NICE;
    }

    static int clampNice(int nice) {
        return Math.max(MIN_NICE, Math.min(MAX_NICE, nice));
    }

    /** check_same_owner: the caller's uid is the task's. */
    private static boolean sameOwner(Exec x, int target) {
        return target == x.pid() || Cred.of(x).uid() == Cred.ofTask(x.kernel(), target).uid();
    }

    /** find_process_by_pid, or ESRCH. */
    private static SchedAttr existing(Exec x, int pid) {
        SchedAttr a = pid <= 0 ? null : x.schedAttr(pid);
        if (a == null) {
            throw new KernelError(Errno.ESRCH);
        }
        return a;
    }

    /** do_sched_yield inside sched_yield(2): the CPU puts the task behind its peers and schedules. */
    enum Yield implements Op {
        INSTANCE;

        public Outcome execute(Exec x) {
            return Outcome.SchedYield.INSTANCE;
        }

        public String describe() {
            return "do_sched_yield()";
        }

        public boolean traced() {
            return false;
        }
    }

    /**
     * sched_set_fifo and its siblings on {@code current}: sched_setscheduler_nocheck and
     * sched_setattr_nocheck skip the permission checks but not __sched_setscheduler's
     * cpuset_lock(), a mutex_lock (might_sleep) since 6.5, so kctx checks it as one. In interrupt
     * context the kernel's BUG_ON(pi && in_interrupt()) oopses; kctx reports the might_sleep and
     * changes nothing.
     */
    record SetCurrent(String call, Policy policy, int priority, Integer nice) implements Op {
        public Outcome execute(Exec x) {
            x.check(KernelCall.MUTEX_LOCK, this);
            if (!x.taskContext()) {
                return Outcome.Next.INSTANCE;
            }
            SchedAttr cur = x.schedAttr(x.pid());
            if (cur != null) {
                SchedAttr next = new SchedAttr(policy, priority, nice != null && fairPolicy(policy) ? nice : cur.nice());
                if (!next.equals(cur)) {
                    x.schedSet(x.pid(), next, null);
                }
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return nice == null ? call + "(current)" : call + "(current, " + nice + ")";
        }
    }
}
