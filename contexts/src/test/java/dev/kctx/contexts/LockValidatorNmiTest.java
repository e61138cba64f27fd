package dev.kctx.contexts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * lockdep in NMI context (kernel/locking/lockdep.c, Linux 6.6): __nmi_enter's lockdep_off() makes
 * lockdep_enabled() false, so lock_acquire only runs verify_lock_unused for a non-trylock
 * (lockdep_nmi()), and lock_release does nothing.
 */
@DisplayName("Lock validator: locks taken in NMI context")
@ExtendWith(LockSimInvariants.class)
class LockValidatorNmiTest {

    @Test
    @DisplayName("a lock the interrupted task holds, taken in NMI, is {INITIAL USE} -> {IN-NMI}")
    void heldByTaskThenNmiTakes() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("logger", 7, 0);
        task.spinLockIrqsave("buf_lock");
        task.nmi("2-perf", nmi -> {
            nmi.spinLock("buf_lock");
            nmi.spinUnlock("buf_lock");
        });
        task.spinUnlockIrqrestore("buf_lock");

        Report r = sim.only();
        assertEquals(ReportKind.INCONSISTENT_LOCK_STATE, r.kind(), sim.dump());
        assertTrue(r.details().contains("inconsistent {INITIAL USE} -> {IN-NMI} usage."), sim.dump());
        assertTrue(r.details().contains("{INITIAL USE} state was registered at:"), sim.dump());
        assertTrue(r.details().contains("  <Interrupt>"), "the one-CPU scenario is printed:\n" + sim.dump());
        assertEquals(List.of("buf_lock (spin_lock_irqsave)"), r.locksHeld(), "held locks are the interrupted task's");
        assertEquals("nmi 2-perf", r.where().context());
    }

    @Test
    @DisplayName("a lock first taken in NMI is not registered there: its later use outside NMI passes")
    void nmiFirstRegistersNothing() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("logger", 7, 0);
        task.nmi("2-perf", nmi -> {
            nmi.spinLock("buf_lock");
            nmi.spinUnlock("buf_lock");
        });
        task.spinLock("buf_lock");
        task.spinUnlock("buf_lock");
        assertTrue(sim.reports.isEmpty(), "verify_lock_unused finds no class yet, and the NMI marks none:\n" + sim.dump());
        assertTrue(!sim.validator.lockClasses().contains("buf_lock") || sim.validator.usage("buf_lock").indexOf('?') < 0,
                "no IRQ usage was recorded by the NMI");
    }

    @Test
    @DisplayName("a trylock in NMI is not checked (\"XXX allow trylock from NMI\")")
    void trylockInNmiPasses() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("logger", 7, 0);
        task.spinLock("buf_lock");
        task.spinUnlock("buf_lock");
        task.nmi("2-perf", nmi -> {
            nmi.spinTrylock("buf_lock");
            nmi.spinUnlock("buf_lock");
        });
        assertTrue(sim.reports.isEmpty(), sim.dump());
    }

    @Test
    @DisplayName("a lock only ever taken in NMI gives nothing, however often")
    void nmiOnlyLock() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("logger", 7, 0);
        for (int i = 0; i < 3; i++) {
            task.nmi("2-perf", nmi -> {
                nmi.spinLock("nmi_lock");
                nmi.spinUnlock("nmi_lock");
            });
        }
        assertTrue(sim.reports.isEmpty(), sim.dump());
    }
}
