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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** rw_semaphore operations as kernel/locking/rwsem.c (Linux 6.6) runs them. */
@DisplayName("rw_semaphore operations")
class RwsemOpsTest {
    private static final Outcome EINTR = new Outcome.EndSyscall(-4);
    private static final Op DOWN_READ = new Ops.RwsemDown("S", false);
    private static final Op DOWN_WRITE = new Ops.RwsemDown("S", true);
    private static final Op UP_READ = new Ops.RwsemUp("S", false);
    private static final Op UP_WRITE = new Ops.RwsemUp("S", true);

    private final KernelObjects kernel = new KernelObjects();
    private final FakeExec a = FakeExec.task(kernel, 0, 4300, "process a", true);
    private final FakeExec b = FakeExec.task(kernel, 1, 4301, "process b", true);
    private final FakeExec c = FakeExec.task(kernel, 2, 4302, "process c", true);
    private final FakeExec d = FakeExec.task(kernel, 3, 4303, "process d", true);

    private KernelObjects.Lock s() {
        return kernel.lock("S", LockType.RWSEM);
    }

    @Test
    @DisplayName("down_read: might_sleep, then readers share the rw_semaphore")
    void readersShare() {
        assertEquals(Outcome.Next.INSTANCE, a.run(DOWN_READ), "the first reader takes it");
        assertEquals(Outcome.Next.INSTANCE, b.run(DOWN_READ), "a second reader shares it");
        assertEquals(List.of(KernelCall.DOWN_READ), a.checkedCalls(), "down_read passes the gate as might_sleep");
        assertEquals(List.of(new HeldLock("S", "down_read", true)), a.atomic.heldLocks(), "held for reading");
        assertEquals(2, s().readerCount(), "two readers");
        assertEquals(0, a.atomic.preemptCount(), "an rw_semaphore does not disable preemption");
        assertEquals(List.of(), a.reportKinds(), "no report");
    }

    @Test
    @DisplayName("a writer excludes readers and writers, who sleep in D state")
    void writerExcludes() {
        a.run(DOWN_WRITE);
        assertEquals(new Outcome.Block("S", 'D'), b.run(DOWN_READ), "a reader sleeps behind the writer");
        assertEquals(new Outcome.Block("S", 'D'), c.run(DOWN_WRITE), "a writer sleeps too");
        assertEquals(List.of(KernelCall.DOWN_READ, KernelCall.SCHEDULE), b.checkedCalls(),
                "might_sleep, then the scheduler's check as it really schedules");
        assertSame(a.waiter, s().owner(), "the writer owns it");
    }

    @Test
    @DisplayName("a readers' rw_semaphore with a writer waiting makes a new reader wait (rwsem_read_trylock fails on waiters)")
    void waitingWriterBlocksNewReaders() {
        a.run(DOWN_READ);
        assertEquals(new Outcome.Block("S", 'D'), b.run(DOWN_WRITE), "the writer waits for the reader");
        assertEquals(new Outcome.Block("S", 'D'), c.run(DOWN_READ), "a new reader queues behind the waiting writer");
        assertEquals(1, s().readerCount(), "only the first reader holds it");

        a.run(UP_READ);
        assertEquals(List.of(b.waitHandle()), a.wakes, "the last reader out wakes the writer only");
        assertEquals(Outcome.Next.INSTANCE, b.retryInNewWait(DOWN_WRITE), "the writer finds it handed over");
        assertTrue(b.atomic.holds("S"));

        b.run(UP_WRITE);
        assertEquals(Outcome.Next.INSTANCE, c.retryInNewWait(DOWN_READ), "then the reader gets it");
        assertEquals(List.of(), a.reportKinds(), "no report");
    }

    @Test
    @DisplayName("up_write with a reader first in line wakes every waiting reader, also those behind a writer (phase-fair rwsem_mark_wake)")
    void upWriteWakesAllReaders() {
        a.run(DOWN_WRITE);
        b.run(DOWN_READ);
        c.run(DOWN_WRITE);
        d.run(DOWN_READ);

        a.run(UP_WRITE);

        assertEquals(List.of(b.waitHandle(), d.waitHandle()), a.wakes, "both readers are woken, the writer is not");
        assertEquals(Outcome.Next.INSTANCE, b.retryInNewWait(DOWN_READ));
        assertEquals(Outcome.Next.INSTANCE, d.retryInNewWait(DOWN_READ));
        assertEquals(2, s().readerCount());
        assertEquals(1, s().sleepers().size(), "the writer still waits");
    }

    @Test
    @DisplayName("up_write with a writer first in line hands it to that writer alone")
    void upWriteHandsToFirstWriter() {
        a.run(DOWN_WRITE);
        b.run(DOWN_WRITE);
        c.run(DOWN_READ);
        a.run(UP_WRITE);
        assertEquals(List.of(b.waitHandle()), a.wakes, "only the first writer is woken");
        assertSame(b.waiter, s().owner(), "and the rw_semaphore is its");
    }

    @Test
    @DisplayName("downgrade_write keeps the lock as a reader and lets the readers first in line in, not a writer")
    void downgrade() {
        a.run(DOWN_WRITE);
        b.run(DOWN_READ);
        c.run(DOWN_WRITE);
        d.run(DOWN_READ);

        assertEquals(Outcome.Next.INSTANCE, a.run(new Ops.DowngradeWrite("S")));

        assertNull(s().owner(), "no writer owns it now");
        assertTrue(s().readHeldBy(a.waiter), "the downgrader reads");
        assertEquals(List.of(new HeldLock("S", "downgrade_write", true)), a.atomic.heldLocks());
        assertEquals(List.of(b.waitHandle(), d.waitHandle()), a.wakes, "the waiting readers join it");
        assertEquals(Outcome.Next.INSTANCE, a.run(UP_READ), "released with up_read");
        assertEquals(List.of(), a.reportKinds(), "no report");
    }

    @Test
    @DisplayName("downgrade_write with a writer first in line wakes nobody")
    void downgradeWriterFirst() {
        a.run(DOWN_WRITE);
        b.run(DOWN_WRITE);
        a.run(new Ops.DowngradeWrite("S"));
        assertEquals(List.of(), a.wakes);
        assertEquals(new Outcome.Block("S", 'D'), b.retryInNewWait(DOWN_WRITE), "the writer waits for the reader");
    }

    @Test
    @DisplayName("down_read twice in one task is lockdep's possible recursive locking (down_read is not a recursive read)")
    void recursiveDownRead() {
        a.run(DOWN_READ);
        assertEquals(Outcome.Next.INSTANCE, a.run(DOWN_READ), "with no waiter the second read gets in");
        assertEquals(List.of(ReportKind.RECURSIVE_LOCKING), a.reportKinds());
    }

    @Test
    @DisplayName("the trylocks never sleep: down_read_trylock fails behind a waiting writer, down_write_trylock on any holder")
    void trylocks() {
        Op readTry = new Ops.RwsemTrylock("S", false, List.of(), List.of(new Ops.Call(KernelCall.KFREE, "kfree(x)")));
        Op writeTry = new Ops.RwsemTrylock("S", true, List.of(), List.of(new Ops.Call(KernelCall.KFREE, "kfree(y)")));
        a.run(DOWN_READ);
        assertEquals(Outcome.Next.INSTANCE, b.run(readTry), "a reader trylock shares a readers' lock");
        assertTrue(b.atomic.holds("S"));
        assertTrue(c.run(writeTry) instanceof Outcome.Inline, "a writer trylock fails while readers hold it: else runs");
        c.run(DOWN_WRITE);
        assertTrue(d.run(readTry) instanceof Outcome.Inline, "a reader trylock fails while a writer waits");
        assertEquals(List.of(), d.checkedCalls(), "no might_sleep");
    }

    @Test
    @DisplayName("down_read_interruptible: a signal ends the wait with -EINTR, off the wait list and out of lockdep")
    void interruptible() {
        Op readIntr = new Ops.RwsemDown("S", false, Ops.WaitMode.INTERRUPTIBLE, List.of());
        a.run(DOWN_WRITE);
        assertEquals(new Outcome.Block("S", 'S'), b.run(readIntr), "sleeps interruptibly");
        b.signalPending = true;
        assertEquals(EINTR, b.retryInNewWait(readIntr), "-EINTR");
        assertEquals(List.of(), s().sleepers(), "off the wait list");
        assertFalse(b.atomic.holds("S"));
        a.run(UP_WRITE);
        assertEquals(List.of(), a.wakes, "nobody to wake");
    }

    @Test
    @DisplayName("a writer that a fatal signal takes off the list lets the readers queued behind it in (rwsem_del_wake_waiter)")
    void killableWriterLeaves() {
        Op writeKill = new Ops.RwsemDown("S", true, Ops.WaitMode.KILLABLE, List.of());
        a.run(DOWN_READ);
        assertEquals(new Outcome.Block("S", 'K'), b.run(writeKill), "killable sleep");
        assertEquals(new Outcome.Block("S", 'D'), c.run(DOWN_READ), "a reader queues behind it");
        b.fatalPending = true;
        assertEquals(EINTR, b.retryInNewWait(writeKill), "-EINTR on the fatal signal");
        assertEquals(List.of(c.waitHandle()), b.wakes, "the reader behind it is woken");
        assertEquals(Outcome.Next.INSTANCE, c.retryInNewWait(DOWN_READ), "and shares the lock");
    }

    @Test
    @DisplayName("up_read of an rw_semaphore not held is bad unlock balance")
    void badUnlock() {
        a.run(UP_READ);
        assertEquals(List.of(ReportKind.BAD_UNLOCK_BALANCE), a.reportKinds());
    }
}
