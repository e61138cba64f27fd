package dev.kctx.mechanisms.sched;

import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.IoResult;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The scheduling calls of a user program, each a system call (sys_enter, the kernel side of
 * {@link SchedCalls} in the process's context, sys_exit) leaving its result in the task's
 * {@link Regs}: 0, or -1 with errno. {@link #nice} is glibc's nice(3), which x86_64 builds from
 * getpriority and setpriority.
 */
public final class SchedUser {
    /** PRIO_PROCESS's {@code who}: 0 is the calling thread. */
    private static final int SELF = 0;

    private SchedUser() {
    }

    /** sched_setscheduler(pid, policy, &(struct sched_param){ .sched_priority = priority }). */
    public static List<Op> setscheduler(int pid, int policy, int priority) {
        return Sys.call("sched_setscheduler",
                c -> IoResult.Done.of(SchedCalls.schedSetscheduler(c.exec(), pid, policy, priority)));
    }

    /** sched_setattr(pid, &attr, 0) with sched_policy, sched_priority and sched_nice set, no flags. */
    public static List<Op> setattr(int pid, int policy, int priority, int nice) {
        return Sys.call("sched_setattr",
                c -> IoResult.Done.of(SchedCalls.schedSetattr(c.exec(), pid, policy, priority, nice)));
    }

    /** sched_setaffinity(pid, sizeof(cpu_set_t), &mask). */
    public static List<Op> setaffinity(int pid, BitSet mask) {
        BitSet copy = (BitSet) mask.clone();
        return Sys.call("sched_setaffinity", c -> IoResult.Done.of(SchedCalls.schedSetaffinity(c.exec(), pid, copy)));
    }

    /** sched_yield(): always 0. */
    public static List<Op> yield() {
        return Sys.call("sched_yield", c -> IoResult.Done.of(0), SchedCalls.yield());
    }

    /** getpriority(PRIO_PROCESS, who): the raw system call, 20 - nice. */
    public static List<Op> getpriority(int who) {
        return Sys.call("getpriority", c -> IoResult.Done.of(SchedCalls.getpriority(c.exec(), who)));
    }

    /** setpriority(PRIO_PROCESS, who, niceval). */
    public static List<Op> setpriority(int who, int niceval) {
        return Sys.call("setpriority", c -> IoResult.Done.of(SchedCalls.setpriority(c.exec(), who, niceval)));
    }

    /**
     * glibc's nice(incr) (sysdeps/posix/nice.c): getpriority, then setpriority(prio + incr) (the
     * kernel clamps the sum to -20..19); an EACCES from setpriority is turned into EPERM, as POSIX
     * wants; on success getpriority once more for the new value. Regs then hold the libc result:
     * -1 with errno, or the kernel's 20 - nice.
     */
    public static List<Op> nice(int incr) {
        List<Op> ops = new ArrayList<>(getpriority(SELF));
        ops.add(Sys.user("nice", x -> {
            long prio = 20 - Sys.regs(x).ret; // __getpriority: PZERO minus the kernel's value
            long sum = Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, prio + incr));
            List<Op> next = new ArrayList<>(setpriority(SELF, (int) sum));
            next.add(Sys.user("nice", y -> {
                Regs r = Sys.regs(y);
                if (r.failed()) {
                    if (r.errno == Errno.EACCES) {
                        r.errno = Errno.EPERM;
                    }
                    return List.of();
                }
                return getpriority(SELF);
            }));
            return next;
        }));
        return ops;
    }
}
