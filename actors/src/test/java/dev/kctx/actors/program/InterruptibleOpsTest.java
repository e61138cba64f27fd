package dev.kctx.actors.program;

import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Interruptible and killable waits")
class InterruptibleOpsTest {
    private static final Outcome EINTR = new Outcome.EndSyscall(-4);

    private final KernelObjects kernel = new KernelObjects();
    /** A user process inside a system call. */
    private final FakeExec process = FakeExec.task(kernel, 0, 4300, "process victim", true);
    /** Another process, holding what the victim waits for. */
    private final FakeExec holder = FakeExec.task(kernel, 0, 4301, "process holder", true);
    /** A kernel thread: signals never reach it here. */
    private final FakeExec kthread = FakeExec.task(kernel, 0, 4302, "kthread worker", false);

    private KernelObjects.Lock sem(long count) {
        KernelObjects.Lock l = kernel.lock("sem", KernelObjects.LockType.SEMAPHORE);
        l.setCount(count);
        return l;
    }

    @Nested
    @DisplayName("down_interruptible and down_killable")
    class Semaphores {
        final Op down = new Ops.Down("sem", true);
        final Op downKillable = new Ops.Down("sem", Ops.WaitMode.KILLABLE, List.of());
        final Op up = new Ops.Up("sem");

        @Test
        @DisplayName("a signal ends the sleep: the sleeper leaves the wait list, the call ends the syscall with -EINTR, and the next up() goes to the count")
        void interrupted() {
            KernelObjects.Lock l = sem(0);
            assertEquals(new Outcome.Block("sem", 'S'), process.run(down), "no unit: it sleeps interruptibly");
            process.signalPending = true;
            assertEquals(EINTR, process.retryInNewWait(down), "woken by the signal: -EINTR ends the system call");
            assertEquals(List.of(), l.sleepers(), "it left the wait list");
            holder.run(up);
            assertEquals(1, l.count(), "up() found no sleeper: the unit went to the count, none was lost");
            assertEquals(0, l.grantsPending(), "and none was granted to the interrupted task");
            assertTrue(process.trace.contains("kctx_interrupted: down_interruptible(sem) = -4"), process.trace.toString());
        }

        @Test
        @DisplayName("not interrupted: up() grants the unit to the sleeper, which takes it when it runs; the count stays 0")
        void notInterrupted() {
            KernelObjects.Lock l = sem(0);
            process.run(down);
            holder.run(up);
            assertEquals(1, holder.wakes.size(), "up() woke the sleeper");
            assertEquals(Outcome.Next.INSTANCE, process.retryInNewWait(down), "the woken sleeper has its unit");
            assertEquals(0, l.count(), "no double take: the count is still 0");
            assertEquals(0, l.grantsPending(), "the grant was taken");
        }

        @Test
        @DisplayName("a unit granted before the signal is noticed wins, as waiter.up does in __down_common")
        void grantWinsOverSignal() {
            KernelObjects.Lock l = sem(0);
            process.run(down);
            holder.run(up);
            process.signalPending = true;
            assertEquals(Outcome.Next.INSTANCE, process.retryInNewWait(down), "the call succeeds with its unit");
            assertEquals(0, l.count(), "the unit is not put back");
        }

        @Test
        @DisplayName("two up()s for two sleepers before either runs: each gets its own unit")
        void twoGrants() {
            KernelObjects.Lock l = sem(0);
            process.run(down);
            kthread.run(down);
            holder.run(up);
            holder.run(up);
            assertEquals(Outcome.Next.INSTANCE, kthread.retryInNewWait(down), "the second sleeper has its unit");
            assertEquals(Outcome.Next.INSTANCE, process.retryInNewWait(down), "and the first has its own");
            assertEquals(0, l.count(), "no unit created or lost");
        }

        @Test
        @DisplayName("a signal pending on entry with no unit: -EINTR without sleeping; with a unit the call takes it")
        void pendingOnEntry() {
            KernelObjects.Lock l = sem(1);
            process.signalPending = true;
            assertEquals(Outcome.Next.INSTANCE, process.run(down), "count > 0: the fast path takes it, signal or not");
            assertEquals(EINTR, process.run(down), "count 0 and a signal pending: -EINTR at once");
            assertEquals(List.of(), l.sleepers(), "it never went on the list");
        }

        @Test
        @DisplayName("down_killable sleeps in K (shown as D); a handled signal does not end it, a fatal one does")
        void killableIgnoresNonFatal() {
            KernelObjects.Lock l = sem(0);
            assertEquals(new Outcome.Block("sem", 'K'), process.run(downKillable), "TASK_KILLABLE");
            process.signalPending = true;
            assertEquals(new Outcome.Block("sem", 'K'), process.retryInNewWait(downKillable), "a non-fatal signal: it sleeps on");
            assertEquals(1, l.sleepers().size(), "still once on the list");
            assertEquals(process.token, l.sleepers().get(0).token(), "with the handle of its current sleep");
            process.fatalPending = true;
            assertEquals(EINTR, process.retryInNewWait(downKillable), "a fatal signal ends it");
            assertEquals(List.of(), l.sleepers(), "off the list");
            assertEquals("down_killable(sem)", downKillable.describe(), "its name");
        }

        @Test
        @DisplayName("a kernel thread is never interrupted: its interruptible sleep goes on whatever is pending")
        void kthreadNeverInterrupted() {
            sem(0);
            kthread.signalPending = true;
            kthread.fatalPending = true;
            assertEquals(new Outcome.Block("sem", 'S'), kthread.run(down), "it sleeps");
            assertEquals(new Outcome.Block("sem", 'S'), kthread.retryInNewWait(down), "and sleeps again when woken");
        }

        @Test
        @DisplayName("on_interrupt: the cleanup runs before the system call returns -EINTR")
        void cleanup() {
            sem(0);
            Op withCleanup = new Ops.Down("sem", Ops.WaitMode.INTERRUPTIBLE, List.of(new Ops.MutexUnlock("m")));
            process.run(withCleanup);
            process.signalPending = true;
            assertEquals(new Outcome.Inline(List.of(new Ops.MutexUnlock("m"), new Ops.SyscallReturn(-4))), process.retryInNewWait(withCleanup),
                    "mutex_unlock, then return -EINTR");
        }
    }

    @Nested
    @DisplayName("mutex_lock_interruptible and mutex_lock_killable")
    class Mutexes {
        final Op lock = new Ops.MutexLock("M", Ops.WaitMode.INTERRUPTIBLE, List.of());
        final Op lockKillable = new Ops.MutexLock("M", Ops.WaitMode.KILLABLE, List.of());
        final Op unlock = new Ops.MutexUnlock("M");

        @Test
        @DisplayName("interrupted: off the wait list and out of lockdep's held locks; the unlock then frees the mutex instead of handing it over")
        void interrupted() {
            holder.run(new Ops.MutexLock("M"));
            assertEquals(new Outcome.Block("M", 'S'), process.run(lock), "held elsewhere: it sleeps interruptibly");
            process.signalPending = true;
            assertEquals(EINTR, process.retryInNewWait(lock), "-EINTR");
            KernelObjects.Lock m = kernel.lock("M", KernelObjects.LockType.MUTEX);
            assertEquals(List.of(), m.sleepers(), "off the wait list");
            assertFalse(process.atomic.holds("M"), "not held");
            holder.run(unlock);
            assertNull(m.owner(), "the unlock found no waiter: the mutex is free");
            assertEquals(List.of(), holder.wakes, "nobody was woken");
            // lockdep forgot the attempt too: taking the mutex again later is no recursive locking.
            process.signalPending = false;
            assertEquals(Outcome.Next.INSTANCE, process.run(lock), "the next attempt takes the free mutex");
            assertEquals(List.of(), process.reportKinds(), "no lockdep report");
        }

        @Test
        @DisplayName("not interrupted: the hand-off on unlock gives it the mutex, held as mutex_lock_interruptible")
        void notInterrupted() {
            holder.run(new Ops.MutexLock("M"));
            process.run(lock);
            holder.run(unlock);
            assertEquals(Outcome.Next.INSTANCE, process.retryInNewWait(lock), "handed over");
            assertTrue(process.atomic.holds("M"), "held");
            assertEquals(List.of(), kernel.lock("M", KernelObjects.LockType.MUTEX).sleepers(), "nobody waits");
        }

        @Test
        @DisplayName("mutex_lock_killable ignores a handled signal and ends on a fatal one")
        void killable() {
            holder.run(new Ops.MutexLock("M"));
            assertEquals(new Outcome.Block("M", 'K'), process.run(lockKillable), "killable sleep");
            process.signalPending = true;
            assertEquals(new Outcome.Block("M", 'K'), process.retryInNewWait(lockKillable), "sleeps on");
            process.fatalPending = true;
            assertEquals(EINTR, process.retryInNewWait(lockKillable), "ends");
            assertFalse(process.reportKinds().contains(ReportKind.BAD_UNLOCK_BALANCE), "lockdep's release was balanced");
        }

        @Test
        @DisplayName("a kernel thread's mutex_lock_interruptible is never interrupted")
        void kthread() {
            holder.run(new Ops.MutexLock("M"));
            kthread.signalPending = true;
            assertEquals(new Outcome.Block("M", 'S'), kthread.run(lock), "sleeps");
            assertEquals(new Outcome.Block("M", 'S'), kthread.retryInNewWait(lock), "and again");
        }
    }

    @Nested
    @DisplayName("wait_event_interruptible and wait_event_killable")
    class WaitQueues {
        final Op wait = new Ops.WaitEvent("q", true);
        final Op waitKillable = new Ops.WaitEvent("q", Ops.WaitMode.KILLABLE, List.of());

        @Test
        @DisplayName("interrupted: -ERESTARTSYS in the trace, the syscall returns -EINTR, no waiter left on the queue")
        void interrupted() {
            process.run(wait);
            process.signalPending = true;
            assertEquals(EINTR, process.retryInNewWait(wait), "ends the system call");
            assertEquals(0, kernel.waitQueue("q").waiterCount(), "off the queue");
            assertTrue(process.trace.contains("kctx_interrupted: wait_event_interruptible(q) = -512"), process.trace.toString());
        }

        @Test
        @DisplayName("the condition is checked before the signal: an event that came with the signal is taken")
        void conditionFirst() {
            process.run(wait);
            holder.run(new Ops.WakeUp("q"));
            process.signalPending = true;
            assertEquals(Outcome.Next.INSTANCE, process.retryInNewWait(wait), "the condition holds");
            assertEquals(0, kernel.waitQueue("q").events(), "consumed");
        }

        @Test
        @DisplayName("wait_event_killable sleeps in K; only a fatal signal ends it; a kernel thread's never ends")
        void killable() {
            assertEquals(new Outcome.Block("q", 'K'), process.run(waitKillable), "killable");
            process.signalPending = true;
            assertEquals(new Outcome.Block("q", 'K'), process.retryInNewWait(waitKillable), "sleeps on");
            assertEquals(1, kernel.waitQueue("q").waiterCount(), "listed once");
            process.fatalPending = true;
            assertEquals(EINTR, process.retryInNewWait(waitKillable), "fatal: ends");
            kthread.fatalPending = true;
            assertEquals(new Outcome.Block("q", 'K'), kthread.run(waitKillable), "a kernel thread sleeps whatever is pending");
        }
    }

    @Nested
    @DisplayName("msleep_interruptible")
    class Msleep {
        final Op sleep = new Ops.MsleepInterruptible(ms(10));

        @Test
        @DisplayName("a signal at 4.3 ms of 10 ms: it returns the ms left as jiffies_to_msecs (HZ=1000, plus the kernel's extra jiffy) = 7, and -EINTR ends the call")
        void interrupted() {
            process.now = us(200);
            assertEquals(new Outcome.Sleep(ms(10), 'S', true), process.run(sleep), "sleeps, to run again when woken");
            process.now = us(4500);
            process.signalPending = true;
            assertEquals(EINTR, process.retryInNewWait(sleep), "interrupted");
            assertTrue(process.trace.contains("kctx_interrupted: msleep_interruptible(10ms) = 7"), process.trace.toString());
        }

        @Test
        @DisplayName("woken by its timer it returns 0 and the call goes on, signal or not")
        void notInterrupted() {
            process.run(sleep);
            process.now = ms(10);
            process.signalPending = true;
            assertEquals(Outcome.Next.INSTANCE, process.retryInNewWait(sleep), "timer expired: 0");
        }

        @Test
        @DisplayName("a signal pending on entry: msecs + 1, at once")
        void pendingOnEntry() {
            process.signalPending = true;
            assertEquals(EINTR, process.run(sleep), "no sleep");
            assertTrue(process.trace.contains("kctx_interrupted: msleep_interruptible(10ms) = 11"), process.trace.toString());
        }

        @Test
        @DisplayName("a kernel thread sleeps it out")
        void kthread() {
            kthread.signalPending = true;
            assertEquals(new Outcome.Sleep(ms(10), 'S', true), kthread.run(sleep), "sleeps");
            kthread.now = ms(3);
            assertEquals(new Outcome.Sleep(ms(7), 'S', true), kthread.retryInNewWait(sleep), "woken early, it sleeps the rest");
            kthread.now = ms(10);
            assertEquals(Outcome.Next.INSTANCE, kthread.retryInNewWait(sleep), "then goes on");
        }

        @Test
        @DisplayName("in a hard IRQ it cannot sleep: the gate reports it and the time passes busy")
        void inIrq() {
            FakeExec irq = new FakeExec(kernel, 1, "hardirq 11 nic");
            irq.level = ContextLevel.HARDIRQ;
            irq.atomic.hardirqEnter();
            assertEquals(new Outcome.Sleep(ms(10), 'S'), irq.run(sleep), "a plain sleep outcome (busy in an interrupt)");
        }
    }
}
