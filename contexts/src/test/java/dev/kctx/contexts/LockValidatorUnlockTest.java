package dev.kctx.contexts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Lock validator: unlock balance")
@ExtendWith(LockSimInvariants.class)
class LockValidatorUnlockTest {

    @Test
    @DisplayName("releasing a lock that is not held is a bad unlock balance")
    void releaseNotHeld() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        assertFalse(task.spinUnlock("L"), "release reports and returns false");

        Report r = sim.only();
        assertEquals(ReportKind.BAD_UNLOCK_BALANCE, r.kind());
        assertEquals("WARNING: bad unlock balance detected!", r.title());
        assertTrue(r.details().contains("worker/42 is trying to release lock (L) at:"), sim.dump());
        assertTrue(r.details().contains("but there are no more locks to release!"));
        assertTrue(r.details().contains("no locks held by worker/42."));
        assertEquals("L in kthread worker", r.site());
    }

    @Test
    @DisplayName("a second unlock of the same lock is a bad unlock balance")
    void doubleUnlock() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.spinLock("A").spinLock("L");
        assertTrue(task.spinUnlock("L"));
        assertFalse(task.spinUnlock("L"));
        Report r = sim.only();
        assertEquals(ReportKind.BAD_UNLOCK_BALANCE, r.kind());
        assertEquals(List.of("A (spin_lock)"), r.locksHeld());
    }

    @Test
    @DisplayName("balanced lock and unlock, in any nesting order, are clean")
    void balanced() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.spinLock("A").spinLock("B");
        assertTrue(task.spinUnlock("A"), "releasing out of order is allowed");
        assertTrue(task.spinUnlock("B"));
        assertTrue(sim.reports.isEmpty(), sim.dump());
    }

    @Test
    @DisplayName("an IRQ cannot release a lock its interrupted task holds below the IRQ's own locks")
    void releaseAcrossContexts() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.spinLock("L");
        task.hardirq("3", irq -> {
            irq.spinLock("M");
            assertFalse(irq.validatorRelease("L"), "find_held_lock does not cross into the task's context");
            irq.spinUnlock("M");
        });
        assertEquals(List.of(ReportKind.BAD_UNLOCK_BALANCE), sim.kinds(), sim.dump());
    }
}
