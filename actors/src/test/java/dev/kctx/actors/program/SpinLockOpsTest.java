package dev.kctx.actors.program;

import dev.kctx.actors.program.KernelObjects.LockType;
import dev.kctx.actors.program.Ops.SpinVariant;
import dev.kctx.contexts.HeldLock;
import dev.kctx.contexts.KernelCall;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Spin lock operations")
class SpinLockOpsTest {

    private final KernelObjects kernel = new KernelObjects();
    private final FakeExec x = new FakeExec(kernel, 0, "kthread a");
    private final FakeExec other = new FakeExec(kernel, 1, "kthread b");

    private static Outcome lock(FakeExec e, String lock, SpinVariant v) {
        Outcome prepared = e.run(new Ops.SpinLockPrepare(lock, v));
        assertEquals(Outcome.Next.INSTANCE, prepared, "the prepare step of " + v.lockName() + " always goes on");
        return e.run(new Ops.SpinLockAcquire(lock, v));
    }

    @Test
    @DisplayName("the builder writes spin_lock as a prepare step and an acquire step")
    void builderSplitsSpinLock() {
        Program p = Program.builder().spinLock("L", SpinVariant.IRQSAVE).spinUnlock("L", SpinVariant.IRQSAVE).build();

        assertEquals(List.of(new Ops.SpinLockPrepare("L", SpinVariant.IRQSAVE),
                        new Ops.SpinLockAcquire("L", SpinVariant.IRQSAVE), new Ops.SpinUnlock("L", SpinVariant.IRQSAVE)),
                p.ops(), "prepare (disable preemption/BH/IRQs) and acquire are separate, so a spin retries only the acquire");
        assertEquals(List.of(new Ops.SpinLockPrepare("M", SpinVariant.PLAIN), new Ops.SpinLockAcquire("M", SpinVariant.PLAIN),
                        new Ops.SpinUnlock("M", SpinVariant.PLAIN)),
                Program.builder().spinLock("M").spinUnlock("M").build().ops(), "the one-argument forms are the plain variant");
    }

    @Test
    @DisplayName("spin_lock disables preemption and records the held lock")
    void plainLock() {
        assertEquals(Outcome.Next.INSTANCE, lock(x, "L", SpinVariant.PLAIN), "a free lock is taken at once");

        assertEquals(1, x.atomic.preemptDisableDepth(), "spin_lock disables preemption");
        assertFalse(x.atomic.irqsDisabled(), "spin_lock leaves IRQs alone");
        assertEquals(0, x.atomic.bhDisableDepth(), "spin_lock leaves bottom halves alone");
        assertEquals(List.of(new HeldLock("L", "spin_lock", false)), x.atomic.heldLocks(), "L is held, taken by spin_lock");
        assertSame(x.waiter, kernel.lock("L", LockType.SPINLOCK).owner(), "the lock's owner is the running context");
        assertEquals(List.of(KernelCall.SPIN_LOCK), x.checkedCalls(), "spin_lock passes the gate once, on prepare");
    }

    @Test
    @DisplayName("spin_lock_bh also disables bottom halves")
    void bhLock() {
        lock(x, "L", SpinVariant.BH);

        assertEquals(1, x.atomic.bhDisableDepth(), "spin_lock_bh disables bottom halves");
        assertEquals(1, x.atomic.preemptDisableDepth(), "and preemption");
        assertEquals("spin_lock_bh", x.atomic.heldLocks().get(0).acquire(), "the held lock says how it was taken");
    }

    @Test
    @DisplayName("spin_lock_irq also disables IRQs; spin_unlock_irq enables them unconditionally")
    void irqLock() {
        x.run(Ops.Simple.LOCAL_IRQ_DISABLE);
        lock(x, "L", SpinVariant.IRQ);
        assertTrue(x.atomic.irqsDisabled(), "spin_lock_irq disables IRQs");

        x.run(new Ops.SpinUnlock("L", SpinVariant.IRQ));

        assertFalse(x.atomic.irqsDisabled(), "spin_unlock_irq enables IRQs even if they were off before (kernel semantics)");
        assertEquals(0, x.atomic.preemptCount(), "preemption enabled again");
    }

    @Test
    @DisplayName("spin_lock_irqsave saves the IRQ flag; spin_unlock_irqrestore restores it")
    void irqsaveRestoresPreviousState() {
        x.run(Ops.Simple.LOCAL_IRQ_DISABLE);
        lock(x, "L", SpinVariant.IRQSAVE);
        x.run(new Ops.SpinUnlock("L", SpinVariant.IRQSAVE));
        assertTrue(x.atomic.irqsDisabled(), "IRQs were disabled before the irqsave, so they stay disabled");

        x.run(Ops.Simple.LOCAL_IRQ_ENABLE);
        lock(x, "L", SpinVariant.IRQSAVE);
        assertTrue(x.atomic.irqsDisabled(), "spin_lock_irqsave disables IRQs");
        x.run(new Ops.SpinUnlock("L", SpinVariant.IRQSAVE));
        assertFalse(x.atomic.irqsDisabled(), "IRQs were enabled before the irqsave, so they are enabled again");
    }

    @Test
    @DisplayName("two irqsave locks nested in each other each restore their own saved flags")
    void nestedIrqsaveLocks() {
        lock(x, "A", SpinVariant.IRQSAVE);
        lock(x, "B", SpinVariant.IRQSAVE);
        x.run(new Ops.SpinUnlock("B", SpinVariant.IRQSAVE));
        assertTrue(x.atomic.irqsDisabled(), "B saved 'disabled' (A had disabled them): still disabled after B");
        x.run(new Ops.SpinUnlock("A", SpinVariant.IRQSAVE));
        assertFalse(x.atomic.irqsDisabled(), "A saved 'enabled': enabled after A");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SpinVariant.class)
    @DisplayName("lock then unlock of every variant leaves the state as it was")
    void lockUnlockIsBalanced(SpinVariant v) {
        lock(x, "L", v);
        Outcome o = x.run(new Ops.SpinUnlock("L", v));

        assertEquals(Outcome.Next.INSTANCE, o, v.unlockName() + " goes on");
        assertEquals(0, x.atomic.preemptCount(), "preempt_count is back to zero after " + v.unlockName());
        assertFalse(x.atomic.irqsDisabled(), "IRQs are enabled after " + v.unlockName());
        assertTrue(x.atomic.heldLocks().isEmpty(), "no lock is held after " + v.unlockName());
        assertFalse(kernel.lock("L", LockType.SPINLOCK).held(), "the lock is free after " + v.unlockName());
        assertTrue(x.reports.isEmpty(), "a balanced lock/unlock reports nothing: " + x.reports);
    }

    @Test
    @DisplayName("a lock held by another context spins, keeping what prepare disabled")
    void contendedLockSpins() {
        lock(other, "L", SpinVariant.PLAIN);

        Outcome o = lock(x, "L", SpinVariant.BH);

        assertEquals(new Outcome.Spin("L"), o, "a lock held elsewhere spins");
        assertTrue(x.atomic.heldLocks().isEmpty(), "the spinning context does not hold the lock");
        assertEquals(1, x.atomic.preemptDisableDepth(), "the spinner keeps preemption disabled, as in the kernel");
        assertEquals(1, x.atomic.bhDisableDepth(), "the spinner keeps bottom halves disabled");
        assertSame(other.waiter, kernel.lock("L", LockType.SPINLOCK).owner(), "the owner did not change");
    }

    @Test
    @DisplayName("releasing a contended lock tells every spinning CPU, lowest first, and the retry takes it")
    void unlockNotifiesSpinners() {
        FakeExec third = new FakeExec(kernel, 3, "kthread c");
        FakeExec onCpu2 = new FakeExec(kernel, 2, "kthread d");
        lock(x, "L", SpinVariant.PLAIN);
        lock(third, "L", SpinVariant.PLAIN);
        lock(onCpu2, "L", SpinVariant.PLAIN);

        x.run(new Ops.SpinUnlock("L", SpinVariant.PLAIN));

        assertEquals(List.of(2, 3), x.lockReleasedCpus, "both spinning CPUs are told, in CPU order");
        onCpu2.setRetrying(true);
        assertEquals(Outcome.Next.INSTANCE, onCpu2.run(new Ops.SpinLockAcquire("L", SpinVariant.PLAIN)),
                "the first spinner to retry takes the lock");
        third.setRetrying(true);
        assertEquals(new Outcome.Spin("L"), third.run(new Ops.SpinLockAcquire("L", SpinVariant.PLAIN)),
                "the next one spins again");
        assertEquals(List.of(KernelCall.SPIN_LOCK), onCpu2.checkedCalls(), "a retried acquire passes the gate no more");
    }

    @Test
    @DisplayName("an unlock with nobody spinning notifies nobody")
    void unlockWithoutSpinners() {
        lock(x, "L", SpinVariant.PLAIN);
        x.run(new Ops.SpinUnlock("L", SpinVariant.PLAIN));

        assertTrue(x.lockReleasedCpus.isEmpty(), "nobody was spinning");
    }

    @Test
    @DisplayName("a context taking a spin lock it already holds deadlocks on itself (spins) instead of taking it twice")
    void recursiveSpinLockSpins() {
        lock(x, "L", SpinVariant.PLAIN);

        Outcome again = lock(x, "L", SpinVariant.PLAIN);

        assertEquals(new Outcome.Spin("L"), again, "spin_lock on a lock the context holds spins forever (AA deadlock)");
        assertEquals(1, x.atomic.heldLocks().size(), "the lock is held once, not twice");
    }

    @Test
    @DisplayName("spin_unlock_bh outside interrupt context runs pending soft IRQs")
    void unlockBhRunsSoftirqs() {
        lock(x, "L", SpinVariant.BH);
        x.raiseSoftirq(SoftirqVector.NET_TX);

        assertEquals(Outcome.RunSoftirqs.INSTANCE, x.run(new Ops.SpinUnlock("L", SpinVariant.BH)),
                "re-enabling bottom halves with a soft IRQ pending runs it");
        assertEquals(0, x.atomic.preemptCount(), "the state is fully restored before the soft IRQs run");
    }

    @Test
    @DisplayName("spin_unlock_bh inside a soft IRQ leaves pending soft IRQs to the running loop")
    void unlockBhInSoftirqDoesNotRunSoftirqs() {
        x.atomic.softirqServeEnter();
        lock(x, "L", SpinVariant.BH);
        x.raiseSoftirq(SoftirqVector.NET_TX);

        assertEquals(Outcome.Next.INSTANCE, x.run(new Ops.SpinUnlock("L", SpinVariant.BH)),
                "in_interrupt() is still true while serving a soft IRQ");
    }

    @Test
    @DisplayName("spin_unlock_irq with an interrupt pending ends with a checkpoint")
    void unlockIrqCheckpoints() {
        lock(x, "L", SpinVariant.IRQ);
        x.pendingIrq = true;

        assertEquals(Outcome.Checkpoint.INSTANCE, x.run(new Ops.SpinUnlock("L", SpinVariant.IRQ)),
                "IRQs enabled again with one pending: the CPU takes it now");
    }

    @Test
    @DisplayName("unlocking a lock that is not held reports bad unlock balance and changes nothing")
    void unlockNotHeld() {
        x.run(Ops.Simple.PREEMPT_DISABLE);

        Outcome o = x.run(new Ops.SpinUnlock("L", SpinVariant.PLAIN));

        assertEquals(Outcome.Next.INSTANCE, o, "the context goes on after the warning, as the kernel does");
        assertEquals(List.of(ReportKind.BAD_UNLOCK_BALANCE), x.reportKinds(), "one bad-unlock-balance report");
        assertEquals(1, x.atomic.preemptDisableDepth(), "the unbalanced unlock did not enable preemption");
        assertTrue(x.reports.get(0).details().stream().anyMatch(l -> l.contains("test/4242 is trying to release lock (L)")),
                "the report names the task and the lock like lockdep: " + x.reports.get(0).details());
    }

    @Test
    @DisplayName("unlocking a lock held by another context reports bad unlock balance and leaves it held")
    void unlockHeldByOther() {
        lock(other, "L", SpinVariant.PLAIN);

        x.run(new Ops.SpinUnlock("L", SpinVariant.PLAIN));

        assertEquals(List.of(ReportKind.BAD_UNLOCK_BALANCE), x.reportKinds(), "one bad-unlock-balance report");
        assertSame(other.waiter, kernel.lock("L", LockType.SPINLOCK).owner(), "the owner still holds the lock");
    }

    @Test
    @DisplayName("spin_lock in atomic context is legal: no report")
    void spinLockInAtomicIsLegal() {
        x.atomic.hardirqEnter();

        lock(x, "L", SpinVariant.PLAIN);

        assertTrue(x.reports.isEmpty(), "spin locks never sleep: " + x.reports);
    }

    @Test
    @DisplayName("describe() writes each variant's kernel call")
    void describeVariants() {
        assertEquals("spin_lock_irqsave(L)", new Ops.SpinLockAcquire("L", SpinVariant.IRQSAVE).describe(), "irqsave");
        assertEquals("spin_unlock_irqrestore(L)", new Ops.SpinUnlock("L", SpinVariant.IRQSAVE).describe(), "irqrestore");
        assertEquals("spin_lock_bh(L)", new Ops.SpinLockPrepare("L", SpinVariant.BH).describe(), "bh");
        assertFalse(new Ops.SpinLockPrepare("L", SpinVariant.BH).traced(), "the prepare step leaves no trace line");
        assertTrue(new Ops.SpinLockAcquire("L", SpinVariant.BH).traced(), "the acquire step is traced");
    }
}
