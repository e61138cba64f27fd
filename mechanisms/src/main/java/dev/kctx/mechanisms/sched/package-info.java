/**
 * The scheduling system calls of Linux 6.6 and the helpers drivers call: the argument and
 * permission checks of kernel/sched/core.c (sched_setscheduler, sched_setattr,
 * sched_setaffinity, sched_yield, sched_set_fifo) and kernel/sys.c (getpriority, setpriority),
 * with their errno answers, on top of the engine's scheduler ({@link dev.kctx.actors.program.Exec#schedSet}).
 * {@link dev.kctx.mechanisms.sched.SchedCalls} is the kernel side, {@link dev.kctx.mechanisms.sched.SchedUser}
 * what a program calls (glibc's wrappers, nice(3) among them).
 */
package dev.kctx.mechanisms.sched;
