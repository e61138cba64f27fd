package dev.kctx.actors.program;

import dev.kctx.actors.program.KernelObjects.LockType;
import dev.kctx.contexts.HeldLock;
import dev.kctx.contexts.KernelCall;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Mutex operations")
class MutexOpsTest {

    private static final Ops.MutexLock LOCK_M = new Ops.MutexLock("M");
    private static final Ops.MutexUnlock UNLOCK_M = new Ops.MutexUnlock("M");

    private final KernelObjects kernel = new KernelObjects();
    private final FakeExec a = new FakeExec(kernel, 0, "kthread a");
    private final FakeExec b = new FakeExec(kernel, 1, "kthread b");
    private final FakeExec c = new FakeExec(kernel, 2, "kthread c");

    private KernelObjects.Lock m() {
        return kernel.lock("M", LockType.MUTEX);
    }

    @Test
    @DisplayName("mutex_lock on a free mutex takes it at once after the might_sleep check")
    void uncontended() {
        assertEquals(Outcome.Next.INSTANCE, a.run(LOCK_M), "a free mutex is taken without sleeping");

        assertEquals(List.of(KernelCall.MUTEX_LOCK), a.checkedCalls(), "mutex_lock passes the gate as might_sleep");
        assertEquals(List.of(new HeldLock("M", "mutex_lock", false)), a.atomic.heldLocks(), "M is held");
        assertEquals(0, a.atomic.preemptCount(), "a mutex does not disable preemption");
        assertSame(a.waiter, m().owner(), "the owner is the running task");
    }

    @Test
    @DisplayName("mutex_lock on a held mutex sleeps in D state and schedules")
    void contendedBlocks() {
        a.run(LOCK_M);

        Outcome o = b.run(LOCK_M);

        assertEquals(new Outcome.Block("M", 'D'), o, "the second task sleeps uninterruptibly on M");
        assertEquals(List.of(KernelCall.MUTEX_LOCK, KernelCall.SCHEDULE), b.checkedCalls(),
                "might_sleep on entry, then the scheduler's own check as it really schedules");
        assertTrue(b.atomic.heldLocks().isEmpty(), "the sleeper does not hold M");
    }

    @Test
    @DisplayName("mutex_unlock hands the mutex to the first sleeper and wakes it")
    void unlockHandsOffToFirstSleeper() {
        a.run(LOCK_M);
        b.run(LOCK_M);
        c.run(LOCK_M);

        assertEquals(Outcome.Next.INSTANCE, a.run(UNLOCK_M), "mutex_unlock goes on");

        assertSame(b.waiter, m().owner(), "the mutex now belongs to the first sleeper");
        assertEquals(List.of(b.waitHandle()), a.wakes, "only the first sleeper is woken");
        assertTrue(a.atomic.heldLocks().isEmpty(), "the unlocker no longer holds M");
        assertEquals(Outcome.Next.INSTANCE, b.retry(LOCK_M), "the woken task finds the mutex handed to it");
        assertEquals(List.of(new HeldLock("M", "mutex_lock", false)), b.atomic.heldLocks(), "now it holds M");
        assertEquals(List.of(KernelCall.MUTEX_LOCK, KernelCall.SCHEDULE), b.checkedCalls(),
                "the retry does not pass might_sleep again");

        b.run(UNLOCK_M);
        assertSame(c.waiter, m().owner(), "the next unlock hands it to the second sleeper");
        assertEquals(List.of(c.waitHandle()), b.wakes, "and wakes it");
    }

    @Test
    @DisplayName("a mutex handed to a woken sleeper cannot be taken by a third task first")
    void handOffIsNotStolen() {
        a.run(LOCK_M);
        b.run(LOCK_M);
        a.run(UNLOCK_M);

        assertEquals(new Outcome.Block("M", 'D'), c.run(LOCK_M), "a task arriving after the hand-off sleeps");
        assertSame(b.waiter, m().owner(), "the woken sleeper keeps the mutex it was handed");
    }

    @Test
    @DisplayName("mutex_unlock with no sleeper releases the mutex and wakes nobody")
    void unlockWithoutSleepers() {
        a.run(LOCK_M);
        a.run(UNLOCK_M);

        assertFalse(m().held(), "the mutex is free");
        assertTrue(a.wakes.isEmpty(), "nobody to wake");
    }

    @Test
    @DisplayName("a task taking a mutex it already holds sleeps forever instead of taking it twice")
    void recursiveMutexLockBlocks() {
        a.run(LOCK_M);

        assertEquals(new Outcome.Block("M", 'D'), a.run(LOCK_M), "recursive mutex_lock deadlocks on itself");
        assertEquals(1, a.atomic.heldLocks().size(), "M is held once");
    }

    @Test
    @DisplayName("mutex_lock in atomic context is a sleep-in-atomic bug even when the mutex is free")
    void mutexLockInAtomic() {
        a.run(Ops.Simple.PREEMPT_DISABLE);

        a.run(LOCK_M);

        assertEquals(List.of(ReportKind.SLEEP_IN_ATOMIC), a.reportKinds(), "might_sleep fires in atomic context");
    }

    @Test
    @DisplayName("a contended mutex_lock in atomic context also reports scheduling while atomic")
    void contendedMutexLockInAtomic() {
        a.run(LOCK_M);
        b.atomic.hardirqEnter();

        b.run(LOCK_M);

        assertEquals(List.of(ReportKind.SLEEP_IN_ATOMIC, ReportKind.INCONSISTENT_LOCK_STATE, ReportKind.SCHEDULING_WHILE_ATOMIC),
                b.reportKinds(), "might_sleep on entry, lockdep's usage check (the mutex was taken with IRQs on, now in"
                        + " a hard IRQ), then __schedule_bug as it really sleeps");
    }

    @Test
    @DisplayName("mutex_unlock of a mutex the task does not own reports bad unlock balance")
    void unlockNotOwner() {
        a.run(LOCK_M);

        assertEquals(Outcome.Next.INSTANCE, b.run(UNLOCK_M), "the task goes on after the warning");

        assertEquals(List.of(ReportKind.BAD_UNLOCK_BALANCE), b.reportKinds(), "one bad-unlock-balance report");
        assertSame(a.waiter, m().owner(), "the owner keeps the mutex");
    }
}
