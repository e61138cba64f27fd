package dev.kctx.actors.program;

import dev.kctx.actors.program.Ops.Simple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Ops.Simple: bottom halves, IRQ flags, preemption, RCU readers")
class SimpleOpsTest {

    private final FakeExec x = new FakeExec();

    @Test
    @DisplayName("local_bh_disable and local_bh_enable nest in the soft IRQ field of the preempt count")
    void bhDisableNests() {
        assertEquals(Outcome.Next.INSTANCE, x.run(Simple.LOCAL_BH_DISABLE), "local_bh_disable goes on");
        x.run(Simple.LOCAL_BH_DISABLE);
        assertEquals(2, x.atomic.bhDisableDepth(), "two local_bh_disable calls nest twice");
        assertEquals(0x400, x.atomic.preemptCount(), "each adds SOFTIRQ_DISABLE_OFFSET (0x200) to preempt_count");
        assertTrue(x.atomic.inInterrupt(), "BH disabled counts as in_interrupt(), as in the kernel");
        assertFalse(x.atomic.inServingSoftirq(), "BH disabled is not serving a soft IRQ");

        x.run(Simple.LOCAL_BH_ENABLE);
        x.run(Simple.LOCAL_BH_ENABLE);
        assertEquals(0, x.atomic.preemptCount(), "two local_bh_enable calls undo both");
    }

    @Test
    @DisplayName("local_bh_enable runs pending soft IRQs when it leaves interrupt context")
    void bhEnableRunsPendingSoftirqs() {
        x.run(Simple.LOCAL_BH_DISABLE);
        x.raiseSoftirq(SoftirqVector.NET_RX);

        assertEquals(Outcome.RunSoftirqs.INSTANCE, x.run(Simple.LOCAL_BH_ENABLE),
                "re-enabling bottom halves with a soft IRQ pending runs it (do_softirq in __local_bh_enable_ip)");
    }

    @Test
    @DisplayName("local_bh_enable without pending soft IRQs just goes on")
    void bhEnableWithoutPendingGoesOn() {
        x.run(Simple.LOCAL_BH_DISABLE);

        assertEquals(Outcome.Next.INSTANCE, x.run(Simple.LOCAL_BH_ENABLE), "nothing to run: go on");
    }

    @Test
    @DisplayName("an inner local_bh_enable does not run soft IRQs while an outer local_bh_disable holds")
    void innerBhEnableDoesNotRunSoftirqs() {
        x.run(Simple.LOCAL_BH_DISABLE);
        x.run(Simple.LOCAL_BH_DISABLE);
        x.raiseSoftirq(SoftirqVector.TIMER);

        assertEquals(Outcome.Next.INSTANCE, x.run(Simple.LOCAL_BH_ENABLE),
                "still in_interrupt() after the inner enable: soft IRQs wait");
        assertEquals(Outcome.RunSoftirqs.INSTANCE, x.run(Simple.LOCAL_BH_ENABLE),
                "the outer enable runs them");
    }

    @Test
    @DisplayName("local_bh_enable inside a hard IRQ leaves pending soft IRQs to irq_exit")
    void bhEnableInHardirqDoesNotRunSoftirqs() {
        x.atomic.hardirqEnter();
        x.run(Simple.LOCAL_BH_DISABLE);
        x.raiseSoftirq(SoftirqVector.NET_RX);

        assertEquals(Outcome.Next.INSTANCE, x.run(Simple.LOCAL_BH_ENABLE),
                "in_interrupt() is still true in a hard IRQ: no soft IRQs here");
    }

    @Test
    @DisplayName("local_irq_disable and local_irq_enable set and clear the IRQs-disabled flag")
    void irqDisableEnable() {
        x.run(Simple.LOCAL_IRQ_DISABLE);
        assertTrue(x.atomic.irqsDisabled(), "local_irq_disable disables IRQs");
        assertEquals(0, x.atomic.preemptCount(), "disabling IRQs does not touch preempt_count");

        x.run(Simple.LOCAL_IRQ_ENABLE);
        assertFalse(x.atomic.irqsDisabled(), "local_irq_enable enables IRQs");
    }

    @Test
    @DisplayName("local_irq_save disables IRQs and local_irq_restore brings back the saved state")
    void irqSaveRestore() {
        x.run(Simple.LOCAL_IRQ_SAVE);
        assertTrue(x.atomic.irqsDisabled(), "local_irq_save disables IRQs");
        x.run(Simple.LOCAL_IRQ_RESTORE);
        assertFalse(x.atomic.irqsDisabled(), "IRQs were enabled before the save, so they are enabled again");
    }

    @Test
    @DisplayName("local_irq_restore keeps IRQs disabled when they were disabled at local_irq_save")
    void irqRestoreKeepsDisabled() {
        x.run(Simple.LOCAL_IRQ_DISABLE);
        x.run(Simple.LOCAL_IRQ_SAVE);
        x.run(Simple.LOCAL_IRQ_RESTORE);

        assertTrue(x.atomic.irqsDisabled(), "the saved flags said disabled, so restore leaves them disabled");
    }

    @Test
    @DisplayName("preempt_disable and preempt_enable nest in the low byte of the preempt count")
    void preemptDisableNests() {
        x.run(Simple.PREEMPT_DISABLE);
        x.run(Simple.PREEMPT_DISABLE);
        assertEquals(2, x.atomic.preemptDisableDepth(), "two preempt_disable calls nest");
        assertTrue(x.atomic.inAtomic(), "preemption disabled is atomic");
        assertFalse(x.atomic.inInterrupt(), "preemption disabled is not interrupt context");

        x.run(Simple.PREEMPT_ENABLE);
        assertEquals(1, x.atomic.preemptDisableDepth(), "one preempt_enable undoes one level");
    }

    @Test
    @DisplayName("rcu_read_lock and rcu_read_unlock nest the RCU reader depth, not the preempt count")
    void rcuReaderDepth() {
        x.run(Simple.RCU_READ_LOCK);
        x.run(Simple.RCU_READ_LOCK);
        assertEquals(2, x.atomic.rcuDepth(), "two readers nest");
        assertEquals(0, x.atomic.preemptCount(), "RCU readers are tracked apart from preempt_count");
        assertTrue(x.atomic.sleepForbidden(), "sleeping inside an RCU reader is forbidden");

        x.run(Simple.RCU_READ_UNLOCK);
        x.run(Simple.RCU_READ_UNLOCK);
        assertEquals(0, x.atomic.rcuDepth(), "both readers closed");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Simple.class)
    @DisplayName("a state change passes no call through the gate")
    void simpleOpsMakeNoGateCalls(Simple op) {
        x.run(Simple.LOCAL_BH_DISABLE);
        x.run(Simple.PREEMPT_DISABLE);
        x.run(Simple.RCU_READ_LOCK);

        x.run(op);

        assertTrue(x.checks.isEmpty(), op + " is not a might_sleep call: " + x.checks);
        assertTrue(x.reports.isEmpty(), op + " reports nothing: " + x.reports);
    }

    @Test
    @DisplayName("re-enabling IRQs or preemption with an interrupt pending ends with a checkpoint")
    void checkpointAfterEnableWithPendingIrq() {
        x.run(Simple.LOCAL_IRQ_DISABLE);
        x.run(Simple.PREEMPT_DISABLE);
        x.pendingIrq = true;

        assertEquals(Outcome.Next.INSTANCE, x.run(Simple.PREEMPT_ENABLE),
                "with IRQs still disabled the pending interrupt cannot be taken");
        assertEquals(Outcome.Checkpoint.INSTANCE, x.run(Simple.LOCAL_IRQ_ENABLE),
                "local_irq_enable with an interrupt pending hands control back to the CPU");
        assertEquals(Outcome.Checkpoint.INSTANCE, x.run(Simple.PREEMPT_DISABLE),
                "any state change with IRQs enabled and one pending asks for a checkpoint");
    }

    @Test
    @DisplayName("describe() names each call as a kernel programmer writes it")
    void describeNames() {
        assertEquals("local_bh_disable()", Simple.LOCAL_BH_DISABLE.describe(), "BH disable text");
        assertEquals("local_irq_save(flags)", Simple.LOCAL_IRQ_SAVE.describe(), "IRQ save text");
        assertEquals("rcu_read_unlock()", Simple.RCU_READ_UNLOCK.describe(), "RCU unlock text");
        assertFalse(Simple.PREEMPT_DISABLE.userMode(), "state changes are kernel operations");
    }
}
