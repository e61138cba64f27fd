package dev.kctx.contexts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rw_semaphore cases of lib/locking-selftest.c (as stored in the mirror, a v5.x/v6.x version
 * with the rwsem_ABBA cases, which Linux 6.6 has unchanged): RSL is down_read, WSL down_write, ML
 * mutex_lock, RL read_lock. Each test names the self-test it comes from and its expected verdict,
 * FAILURE (lockdep reports) or SUCCESS.
 */
@DisplayName("Lock validator: rw_semaphore (lib/locking-selftest.c)")
@ExtendWith(LockSimInvariants.class)
class LockValidatorRwsemTest {

    private final LockSim sim = new LockSim();
    private final LockSim.Ctx task = sim.task("worker", 42, 0);

    @Test
    @DisplayName("rsem_AA1: down_read twice on one rw_semaphore is reported (down_read is not a recursive read)")
    void rsemAA1() {
        task.downRead("X1");
        task.downRead("X1");
        Report r = sim.only();
        assertEquals(ReportKind.RECURSIVE_LOCKING, r.kind(), sim.dump());
        assertEquals("X1 -> X1", r.site());
    }

    @Test
    @DisplayName("rlock_AA1, the contrast: read_lock twice is allowed for a recursive reader (in interrupt context)")
    void rlockAA1InInterrupt() {
        task.softirq("TIMER", s -> {
            s.readLock("X1");
            s.readLock("X1");
            s.readUnlock("X1");
            s.readUnlock("X1");
        });
        assertTrue(sim.reports.isEmpty(), sim.dump());
    }

    @Test
    @DisplayName("rsem_AA2: down_read then down_write of the class is reported")
    void rsemAA2() {
        task.downRead("X1");
        task.downWrite("X1");
        assertEquals(List.of(ReportKind.RECURSIVE_LOCKING), sim.kinds(), sim.dump());
    }

    @Test
    @DisplayName("rsem_AA3: down_write then down_read of the class is reported")
    void rsemAA3() {
        task.downWrite("X1");
        task.downRead("X1");
        assertEquals(List.of(ReportKind.RECURSIVE_LOCKING), sim.kinds(), sim.dump());
    }

    @Test
    @DisplayName("AA_wsem: down_write twice is reported")
    void aaWsem() {
        task.downWrite("X1");
        task.downWrite("X1");
        assertEquals(List.of(ReportKind.RECURSIVE_LOCKING), sim.kinds(), sim.dump());
    }

    @Test
    @DisplayName("rwsem_ABBA1: down_read(X) -> mutex(Y), then mutex(Y) -> down_write(X) is a circular dependency")
    void rwsemABBA1() {
        task.downRead("X1").mutexLock("Y1");
        task.mutexUnlock("Y1");
        task.upRead("X1");
        assertTrue(sim.reports.isEmpty(), "the first order alone is clean: " + sim.dump());
        task.mutexLock("Y1").downWrite("X1");
        assertEquals(List.of(ReportKind.CIRCULAR_LOCKING), sim.kinds(), sim.dump());
    }

    @Test
    @DisplayName("rwsem_ABBA2: down_read(X) -> mutex(Y), then mutex(Y) -> down_read(X) is reported: rwsem readers are not recursive")
    void rwsemABBA2() {
        task.downRead("X1").mutexLock("Y1");
        task.mutexUnlock("Y1");
        task.upRead("X1");
        task.mutexLock("Y1").downRead("X1");
        assertEquals(List.of(ReportKind.CIRCULAR_LOCKING), sim.kinds(), sim.dump());
    }

    @Test
    @DisplayName("rlock_ABBA2, the contrast: read_lock(X) -> spin(Y), then spin(Y) -> read_lock(X) in interrupt context is clean")
    void rlockABBA2RecursiveReaders() {
        task.softirq("TIMER", s -> {
            s.readLock("X1").spinLock("Y1");
            s.spinUnlock("Y1");
            s.readUnlock("X1");
            s.spinLock("Y1").readLock("X1");
            s.readUnlock("X1");
            s.spinUnlock("Y1");
        });
        assertTrue(sim.reports.isEmpty(), sim.dump());
    }

    @Test
    @DisplayName("rwsem_ABBA3: down_write(X) -> mutex(Y), then mutex(Y) -> down_write(X) is reported")
    void rwsemABBA3() {
        task.downWrite("X1").mutexLock("Y1");
        task.mutexUnlock("Y1");
        task.upWrite("X1");
        task.mutexLock("Y1").downWrite("X1");
        assertEquals(List.of(ReportKind.CIRCULAR_LOCKING), sim.kinds(), sim.dump());
    }

    @Test
    @DisplayName("ABBA_rsem: down_read(A) -> down_read(B), then down_read(B) -> down_read(A) is reported")
    void abbaRsem() {
        task.downRead("A").downRead("B");
        task.upRead("B");
        task.upRead("A");
        task.downRead("B").downRead("A");
        assertEquals(List.of(ReportKind.CIRCULAR_LOCKING), sim.kinds(), sim.dump());
    }

    @Test
    @DisplayName("double_unlock_rsem: up_read of an rw_semaphore no longer held is bad unlock balance")
    void doubleUnlockRsem() {
        task.downRead("A");
        assertTrue(task.upRead("A"));
        assertFalse(task.upRead("A"), "the second up_read is reported");
        assertEquals(List.of(ReportKind.BAD_UNLOCK_BALANCE), sim.kinds(), sim.dump());
    }

    @Test
    @DisplayName("down_read_trylock under a held mutex adds no dependency: a trylock cannot wait")
    void trylockAddsNoDependency() {
        task.mutexLock("Y1").downReadTrylock("X1");
        task.upRead("X1");
        task.mutexUnlock("Y1");
        assertFalse(sim.validator.dependsOn("Y1", "X1"), "a trylock cannot wait, so it adds no edge");
        assertTrue(sim.reports.isEmpty(), sim.dump());
    }

    @Test
    @DisplayName("downgrade_write keeps the class held (now as a read) until up_read releases it")
    void downgradeKeepsClassHeld() {
        task.downWrite("X1");
        assertTrue(task.downgradeWrite("X1"));
        assertTrue(sim.reports.isEmpty(), sim.dump());
        task.mutexLock("Y1");
        task.mutexUnlock("Y1");
        task.upRead("X1");
        assertTrue(sim.reports.isEmpty(), "up_read releases the downgraded hold: " + sim.dump());
    }

    @Test
    @DisplayName("downgrade_write of an rw_semaphore not held is bad unlock balance (lock_downgrade)")
    void downgradeNotHeld() {
        assertFalse(task.downgradeWrite("X1"));
        assertEquals(List.of(ReportKind.BAD_UNLOCK_BALANCE), sim.kinds(), sim.dump());
    }
}
