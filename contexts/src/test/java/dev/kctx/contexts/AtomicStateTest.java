package dev.kctx.contexts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** AtomicState against include/linux/preempt.h: the bit layout, the predicates and the transitions. */
@DisplayName("AtomicState follows include/linux/preempt.h")
class AtomicStateTest {

    @Nested
    @DisplayName("in plain process context")
    class ProcessContext {
        private final AtomicState st = new AtomicState();

        @Test
        @DisplayName("the preempt count is zero and prints as 00000000")
        void countIsZero() {
            assertEquals(0, st.preemptCount(), "a fresh task has preempt_count 0");
            assertEquals("00000000", st.printable(), "the count prints as eight hex digits");
        }

        @Test
        @DisplayName("only in_task() is true")
        void onlyInTask() {
            assertTrue(st.inTask(), "in_task() is true in process context");
            assertFalse(st.inAtomic(), "in_atomic() is false with preempt_count 0");
            assertFalse(st.inInterrupt(), "in_interrupt() is false in process context");
            assertFalse(st.inHardirq(), "in_hardirq() is false in process context");
            assertFalse(st.inSoftirq(), "in_softirq() is false in process context");
            assertFalse(st.inServingSoftirq(), "in_serving_softirq() is false in process context");
            assertFalse(st.sleepForbidden(), "sleeping is allowed in process context");
        }
    }

    @Nested
    @DisplayName("in a hard IRQ")
    class HardIrq {
        private final AtomicState st = new AtomicState();

        HardIrq() {
            st.hardirqEnter();
        }

        @Test
        @DisplayName("the count is HARDIRQ_OFFSET, printed 00010000")
        void count() {
            assertEquals(0x10000, st.preemptCount(), "hard IRQ entry adds HARDIRQ_OFFSET (0x10000)");
            assertEquals("00010000", st.printable(), "the hard IRQ count prints as 00010000");
            assertEquals(1, st.hardirqDepth(), "one hard IRQ is nested");
        }

        @Test
        @DisplayName("in_hardirq, in_interrupt and in_atomic hold, in_task and in_softirq do not")
        void predicates() {
            assertTrue(st.inHardirq(), "in_hardirq() is true in a hard IRQ");
            assertTrue(st.inInterrupt(), "in_interrupt() includes the hard IRQ count");
            assertTrue(st.inAtomic(), "in_atomic() is true with a non-zero count");
            assertFalse(st.inTask(), "in_task() is false in a hard IRQ");
            assertFalse(st.inSoftirq(), "in_softirq() looks only at the soft IRQ byte");
            assertTrue(st.sleepForbidden(), "sleeping is forbidden in a hard IRQ");
        }

        @Test
        @DisplayName("nested hard IRQs count up in the hard IRQ nibble")
        void nesting() {
            st.hardirqEnter();
            assertEquals(0x20000, st.preemptCount(), "a second hard IRQ adds another HARDIRQ_OFFSET");
            assertEquals(2, st.hardirqDepth(), "two hard IRQs are nested");
            st.hardirqExit();
            st.hardirqExit();
            assertEquals(0, st.preemptCount(), "each exit removes one HARDIRQ_OFFSET");
        }
    }

    @Nested
    @DisplayName("while serving a soft IRQ")
    class ServingSoftirq {
        private final AtomicState st = new AtomicState();

        ServingSoftirq() {
            st.softirqServeEnter();
        }

        @Test
        @DisplayName("the count is SOFTIRQ_OFFSET, printed 00000100")
        void count() {
            assertEquals(0x100, st.preemptCount(), "serving a soft IRQ adds SOFTIRQ_OFFSET (0x100)");
            assertEquals("00000100", st.printable(), "the serving count prints as 00000100");
            assertEquals(0, st.bhDisableDepth(), "serving is not a local_bh_disable");
            assertFalse(st.bhDisabled(), "serving alone does not count as bottom halves disabled");
        }

        @Test
        @DisplayName("in_softirq, in_serving_softirq and in_interrupt hold, in_task does not")
        void predicates() {
            assertTrue(st.inSoftirq(), "in_softirq() is true while serving");
            assertTrue(st.inServingSoftirq(), "in_serving_softirq() is true while serving");
            assertTrue(st.inInterrupt(), "in_interrupt() includes the soft IRQ count");
            assertTrue(st.inAtomic(), "in_atomic() is true while serving");
            assertFalse(st.inTask(), "in_task() is false while serving a soft IRQ");
            assertFalse(st.inHardirq(), "in_hardirq() is false in a soft IRQ");
        }

        @Test
        @DisplayName("a preempt_disable inside prints as 00000101")
        void withPreemptDisabled() {
            st.preemptDisable();
            assertEquals(0x101, st.preemptCount(), "softirq plus one preempt_disable is 0x101");
            assertEquals("00000101", st.printable(), "the count prints as 00000101");
        }

        @Test
        @DisplayName("a spin_lock_bh inside adds SOFTIRQ_DISABLE_OFFSET on top of the serving bit")
        void bhDisableInside() {
            st.bhDisable();
            assertEquals(0x300, st.preemptCount(), "serving (0x100) plus one local_bh_disable (0x200) is 0x300");
            assertEquals(1, st.bhDisableDepth(), "the disable depth ignores the serving bit");
            assertTrue(st.inServingSoftirq(), "still serving after disabling bottom halves");
            assertTrue(st.bhEnable(), "the inner local_bh_enable succeeds");
            assertEquals(0x100, st.preemptCount(), "local_bh_enable leaves the serving bit");
        }

        @Test
        @DisplayName("local_bh_enable does not eat the serving bit")
        void bhEnableKeepsServing() {
            assertFalse(st.bhEnable(), "there is no local_bh_disable to undo while only serving");
            assertEquals(0x100, st.preemptCount(), "the serving count is unchanged");
        }

        @Test
        @DisplayName("serving exit restores the count")
        void exit() {
            st.softirqServeExit();
            assertEquals(0, st.preemptCount(), "exit removes SOFTIRQ_OFFSET");
            assertTrue(st.inTask(), "back in task context after serving");
        }
    }

    @Nested
    @DisplayName("with bottom halves disabled")
    class BhDisabled {
        private final AtomicState st = new AtomicState();

        BhDisabled() {
            st.bhDisable();
        }

        @Test
        @DisplayName("each local_bh_disable adds 0x200")
        void count() {
            assertEquals(0x200, st.preemptCount(), "local_bh_disable adds SOFTIRQ_DISABLE_OFFSET (0x200)");
            assertEquals("00000200", st.printable(), "one local_bh_disable prints as 00000200");
            st.bhDisable();
            assertEquals(0x400, st.preemptCount(), "a nested local_bh_disable adds another 0x200");
            assertEquals(2, st.bhDisableDepth(), "two local_bh_disable calls are nested");
        }

        @Test
        @DisplayName("in_softirq and in_interrupt hold, in_serving_softirq does not, in_task still does")
        void predicates() {
            assertTrue(st.inSoftirq(), "in_softirq() is true with bottom halves disabled");
            assertFalse(st.inServingSoftirq(), "in_serving_softirq() is false when only disabled");
            assertTrue(st.inInterrupt(), "in_interrupt() includes BH-disabled sections");
            assertTrue(st.inTask(), "in_task() excludes only SOFTIRQ_OFFSET, so it stays true");
            assertTrue(st.inAtomic(), "in_atomic() is true with bottom halves disabled");
            assertTrue(st.bhDisabled(), "bottom halves are disabled");
        }

        @Test
        @DisplayName("local_bh_enable undoes one level and refuses when none is left")
        void enable() {
            assertTrue(st.bhEnable(), "the matching local_bh_enable succeeds");
            assertEquals(0, st.preemptCount(), "the count is back to zero");
            assertFalse(st.bhEnable(), "an unmatched local_bh_enable is refused");
            assertEquals(0, st.preemptCount(), "a refused local_bh_enable changes nothing");
        }
    }

    @Nested
    @DisplayName("with preemption disabled")
    class PreemptDisabled {
        private final AtomicState st = new AtomicState();

        PreemptDisabled() {
            st.preemptDisable();
        }

        @Test
        @DisplayName("the count is PREEMPT_OFFSET per level, and only in_atomic of the context predicates holds")
        void countAndPredicates() {
            assertEquals(1, st.preemptCount(), "preempt_disable adds PREEMPT_OFFSET (1)");
            assertEquals(1, st.preemptDisableDepth(), "one preempt_disable level");
            assertTrue(st.inAtomic(), "in_atomic() is true with preemption disabled");
            assertTrue(st.inTask(), "in_task() is still true with preemption disabled");
            assertFalse(st.inInterrupt(), "in_interrupt() ignores the preemption byte");
            assertFalse(st.inSoftirq(), "in_softirq() ignores the preemption byte");
        }

        @Test
        @DisplayName("preempt_enable undoes one level and refuses when none is left")
        void enable() {
            st.preemptDisable();
            assertEquals(2, st.preemptDisableDepth(), "two nested preempt_disable levels");
            assertTrue(st.preemptEnable(), "the inner preempt_enable succeeds");
            assertTrue(st.preemptEnable(), "the outer preempt_enable succeeds");
            assertFalse(st.preemptEnable(), "an unmatched preempt_enable is refused");
            assertEquals(0, st.preemptCount(), "a refused preempt_enable changes nothing");
        }
    }

    @Nested
    @DisplayName("outside preempt_count")
    class OutsideCount {
        @Test
        @DisplayName("IRQs disabled forbid sleeping but are not in_atomic()")
        void irqsDisabled() {
            AtomicState st = new AtomicState();
            st.setIrqsDisabled(true);
            assertFalse(st.inAtomic(), "in_atomic() reads only preempt_count, not the IRQ flag");
            assertTrue(st.sleepForbidden(), "__might_resched also rejects irqs_disabled()");
        }

        @Test
        @DisplayName("an RCU reader forbids sleeping but is not in_atomic()")
        void rcuReader() {
            AtomicState st = new AtomicState();
            st.rcuReadLock();
            st.rcuReadLock();
            assertEquals(2, st.rcuDepth(), "rcu_read_lock nests");
            assertFalse(st.inAtomic(), "a preemptible RCU reader leaves preempt_count alone");
            assertTrue(st.sleepForbidden(), "__might_resched also rejects a non-zero RCU nest depth");
            assertTrue(st.rcuReadUnlock(), "the inner rcu_read_unlock succeeds");
            assertTrue(st.rcuReadUnlock(), "the outer rcu_read_unlock succeeds");
            assertFalse(st.rcuReadUnlock(), "an unmatched rcu_read_unlock is refused");
            assertEquals(0, st.rcuDepth(), "a refused rcu_read_unlock changes nothing");
        }

        @Test
        @DisplayName("irqSave returns the previous flag and disables IRQs")
        void irqSave() {
            AtomicState st = new AtomicState();
            assertFalse(st.irqSave(), "IRQs were enabled before the first save");
            assertTrue(st.irqsDisabled(), "local_irq_save disables IRQs");
            assertTrue(st.irqSave(), "a nested save sees IRQs already disabled");
        }

        @Test
        @DisplayName("local_irq_restore brings back exactly what the matching save saw")
        void saveAndRestore() {
            AtomicState st = new AtomicState();
            st.saveIrqs("outer");
            st.saveIrqs("inner");
            assertTrue(st.restoreIrqs("inner"), "the inner restore finds its saved flags");
            assertTrue(st.irqsDisabled(), "the inner restore keeps IRQs off, as the outer save left them");
            assertTrue(st.restoreIrqs("outer"), "the outer restore finds its saved flags");
            assertFalse(st.irqsDisabled(), "the outer restore re-enables IRQs");
        }

        @Test
        @DisplayName("restoring flags that were never saved fails and enables IRQs")
        void restoreUnknown() {
            AtomicState st = new AtomicState();
            st.setIrqsDisabled(true);
            assertFalse(st.restoreIrqs("never-saved"), "nothing was saved under that name");
            assertFalse(st.irqsDisabled(), "an unmatched restore leaves IRQs enabled");
        }
    }

    @Nested
    @DisplayName("exits without an entry")
    class UnbalancedExits {
        @Test
        @DisplayName("a hard IRQ exit without entry throws and changes nothing")
        void hardirqExit() {
            AtomicState st = new AtomicState();
            IllegalStateException e = assertThrows(IllegalStateException.class, st::hardirqExit,
                    "a hard IRQ exit needs a hard IRQ entry");
            assertEquals("hardirq exit without entry", e.getMessage(), "the message names the imbalance");
            assertEquals(0, st.preemptCount(), "the failed exit left the count alone");
        }

        @Test
        @DisplayName("a soft IRQ exit without entry throws, even with bottom halves disabled")
        void softirqExit() {
            AtomicState st = new AtomicState();
            st.bhDisable();
            IllegalStateException e = assertThrows(IllegalStateException.class, st::softirqServeExit,
                    "a serving exit needs the serving bit, not a local_bh_disable");
            assertEquals("softirq exit without entry", e.getMessage(), "the message names the imbalance");
            assertEquals(0x200, st.preemptCount(), "the failed exit left the count alone");
        }
    }

    @Nested
    @DisplayName("held locks")
    class HeldLocks {
        @Test
        @DisplayName("are kept outermost first and released innermost first")
        void stack() {
            AtomicState st = new AtomicState();
            st.pushLock(new HeldLock("a", "spin_lock", false));
            st.pushLock(new HeldLock("b", "read_lock", true));
            st.pushLock(new HeldLock("a", "spin_lock_nested", false));
            assertEquals(List.of("a", "b", "a"), st.heldLocks().stream().map(HeldLock::name).toList(),
                    "held locks are listed outermost first");
            assertTrue(st.popLock("a"), "a held lock can be released");
            assertEquals(List.of("a", "b"), st.heldLocks().stream().map(HeldLock::name).toList(),
                    "the innermost entry of that name is the one released");
            assertTrue(st.holds("b"), "the other lock is still held");
            assertFalse(st.popLock("zzz"), "releasing a lock that is not held is refused");
            assertTrue(st.holdsAnyLock(), "locks are still held");
        }

        @Test
        @DisplayName("are handed out as an immutable copy")
        void copy() {
            AtomicState st = new AtomicState();
            st.pushLock(new HeldLock("a", "spin_lock", false));
            List<HeldLock> view = st.heldLocks();
            assertThrows(UnsupportedOperationException.class, () -> view.add(new HeldLock("x", "spin_lock", false)),
                    "the held-locks list cannot be changed from outside");
            st.popLock("a");
            assertEquals(1, view.size(), "an earlier copy does not follow later releases");
            assertFalse(st.holdsAnyLock(), "no lock is held after the release");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(AtomicContext.class)
    @DisplayName("every atomic context shows the kernel's count, IRQ flag and RCU depth, and forbids sleeping")
    void atomicContexts(AtomicContext ctx) {
        AtomicState st = ctx.enter();
        assertEquals(ctx.preemptCount, st.preemptCount(), "preempt_count in " + ctx);
        assertEquals(ctx.irqsDisabled, st.irqsDisabled(), "irqs_disabled() in " + ctx);
        assertEquals(ctx.rcuDepth, st.rcuDepth(), "RCU nest depth in " + ctx);
        assertEquals(ctx.preemptCount != 0, st.inAtomic(), "in_atomic() is preempt_count != 0 in " + ctx);
        assertTrue(st.sleepForbidden(), "sleeping is forbidden in " + ctx);
    }

    @Test
    @DisplayName("toString shows count, IRQ flag, RCU depth and locks")
    void describes() {
        AtomicContext ctx = AtomicContext.SPIN_LOCK_IRQSAVE_HELD;
        assertEquals("preempt_count=00000001 irqs_disabled=1 rcu=0 locks=[cfg (spin_lock_irqsave)]",
                ctx.enter().toString(), "the state reads as the kernel's own fields");
    }

    @Test
    @DisplayName("nmi_enter adds NMI_OFFSET + HARDIRQ_OFFSET: in_nmi, in_hardirq, in_interrupt and in_atomic hold; nmi_exit undoes it")
    void nmiEnterAndExit() {
        AtomicState a = new AtomicState();
        a.hardirqEnter();
        a.nmiEnter();
        assertTrue(a.inNmi(), "in_nmi()");
        assertTrue(a.inHardirq() && a.inInterrupt() && a.inAtomic(), "an NMI is a hard IRQ context too");
        assertEquals(0x120000, a.preemptCount(), "one NMI over one hard IRQ, as the kernel counts them");
        a.nmiExit();
        assertFalse(a.inNmi(), "nmi_exit leaves NMI context");
        assertEquals(PreemptCount.HARDIRQ_OFFSET, a.preemptCount(), "the interrupted hard IRQ's count is back");
    }
}
