/**
 * The scheduler, shaped like kernel/sched of Linux 6.6 (the first release with EEVDF, an LTS):
 * {@link dev.kctx.actors.sched.RunQueue} is core.c's per-CPU rq with the class pick order,
 * wake-up preemption, the tick and sched_setattr; {@link dev.kctx.actors.sched.FairRq} is fair.c's
 * EEVDF cfs_rq; {@link dev.kctx.actors.sched.RtRq} is rt.c's rt_rq with SCHED_FIFO/SCHED_RR and
 * RT throttling; {@link dev.kctx.actors.sched.Idle} is idle.c; {@link dev.kctx.actors.sched.Balance}
 * holds the cross-CPU decisions (select_task_rq, idle and periodic balancing, RT push).
 *
 * <p>Pure Java, no Akka: the CPU ({@code dev.kctx.actors.Cpu}) owns one {@code RunQueue} and asks
 * it what to run; the bench module's baseline uses the same classes, so both follow one set of rules.
 * Nothing here reads the wall clock: every method takes the virtual time it acts at.
 */
package dev.kctx.actors.sched;
