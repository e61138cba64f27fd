package dev.kctx.contexts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Lock validator: lock order (recursive and circular locking)")
@ExtendWith(LockSimInvariants.class)
class LockValidatorOrderTest {

    @Test
    @DisplayName("taking a spinlock class already held in the same context is recursive locking")
    void aa() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.spinLock("L");
        task.spinLock("L");

        Report r = sim.only();
        assertEquals(ReportKind.RECURSIVE_LOCKING, r.kind());
        assertEquals("WARNING: possible recursive locking detected", r.title());
        assertEquals("============================================", r.details().get(0), "the rule is as wide as the title");
        assertTrue(r.details().contains("worker/42 is trying to acquire lock:"));
        assertTrue(r.details().contains("but task is already holding lock:"));
        assertTrue(r.details().contains(" May be due to missing lock nesting notation"));
        assertEquals("L -> L", r.site());
    }

    @Test
    @DisplayName("a mutex taken twice is recursive locking too")
    void mutexAa() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.mutexLock("cfg_mutex");
        task.mutexLock("cfg_mutex");
        assertEquals(List.of(ReportKind.RECURSIVE_LOCKING), sim.kinds(), sim.dump());
    }

    @Test
    @DisplayName("two different locks nested in one context are clean")
    void abIsClean() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.spinLock("A").spinLock("B");
        task.spinUnlock("B");
        task.spinUnlock("A");
        assertTrue(sim.reports.isEmpty(), sim.dump());
        assertTrue(sim.validator.dependsOn("A", "B"), "the held-while-acquired edge is recorded");
        assertFalse(sim.validator.dependsOn("B", "A"));
    }

    @Test
    @DisplayName("recursive read_lock is allowed in interrupt context, where rwlock readers are recursive")
    void recursiveReadInInterrupt() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.softirq("TIMER", sirq -> {
            sirq.readLock("R");
            sirq.readLock("R");
            sirq.readUnlock("R");
            sirq.readUnlock("R");
        });
        assertTrue(sim.reports.isEmpty(), sim.dump());
    }

    @Test
    @DisplayName("recursive read_lock in task context is reported: a queued rwlock blocks readers behind a writer")
    void recursiveReadInTask() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.readLock("R");
        task.readLock("R");
        assertEquals(List.of(ReportKind.RECURSIVE_LOCKING), sim.kinds(), sim.dump());
    }

    @Test
    @DisplayName("ABBA across two contexts on two CPUs is a circular dependency, though the run did not deadlock")
    void abba() {
        LockSim sim = new LockSim();
        LockSim.Ctx t1 = sim.task("alpha", 100, 0);
        LockSim.Ctx t2 = sim.task("beta", 200, 1);
        t1.spinLock("A").spinLock("B");
        t1.spinUnlock("B");
        t1.spinUnlock("A");
        t2.spinLock("B").spinLock("A");

        Report r = sim.only();
        assertEquals(ReportKind.CIRCULAR_LOCKING, r.kind());
        assertEquals("WARNING: possible circular locking dependency detected", r.title());
        List<String> d = r.details();
        assertTrue(d.contains("beta/200 is trying to acquire lock:"), sim.dump());
        assertTrue(d.contains(" (A){+.+.}, at: spin_lock(A)"), sim.dump());
        assertTrue(d.contains(" (B){+.+.}, at: spin_lock(B)"), sim.dump());
        assertTrue(d.contains("which lock already depends on the new lock."));
        assertTrue(d.contains("-> #1 (B){+.+.}:"), "the existing edge A -> B is printed first:\n" + sim.dump());
        assertTrue(d.contains("-> #0 (A){+.+.}:"), sim.dump());
        assertTrue(d.stream().anyMatch(l -> l.contains("spin_lock(B) by alpha/100 in kthread alpha, CPU 0 at")),
                "the chain names the context, CPU and time of the edge:\n" + sim.dump());
        assertFalse(d.contains("Chain exists of:"), "a direct inversion needs no chain line");
        int cpu0 = d.indexOf("       CPU0                    CPU1");
        assertTrue(cpu0 > 0, sim.dump());
        assertEquals(List.of("  lock(B);", "                               lock(A);", "                               lock(B);",
                "  lock(A);"), d.subList(cpu0 + 2, cpu0 + 6), "lockdep's CPU0/CPU1 table");
        assertTrue(d.contains(" *** DEADLOCK ***"));
        assertEquals(List.of("B (spin_lock)"), r.locksHeld(), "held locks are the acquiring context's");
        assertEquals(1, r.where().cpu());
        assertEquals("A -> B -> A", r.site());
        assertFalse(sim.validator.dependsOn("B", "A"), "the edge that closes the cycle is not added");
    }

    @Test
    @DisplayName("three locks taken pairwise by three contexts close a cycle; the report shows the chain")
    void threeLockCycle() {
        LockSim sim = new LockSim();
        LockSim.Ctx t1 = sim.task("one", 1, 0);
        LockSim.Ctx t2 = sim.task("two", 2, 1);
        LockSim.Ctx t3 = sim.task("three", 3, 2);
        t1.spinLock("A").spinLock("B");
        t1.spinUnlock("B");
        t1.spinUnlock("A");
        t2.mutexLock("B");
        t2.spinLock("C");
        t2.spinUnlock("C");
        t2.mutexUnlock("B");
        assertTrue(sim.reports.isEmpty(), "A -> B and B -> C alone are fine:\n" + sim.dump());
        t3.spinLock("C").spinLock("A");

        Report r = sim.only();
        assertEquals(ReportKind.CIRCULAR_LOCKING, r.kind());
        List<String> d = r.details();
        assertTrue(d.contains("-> #2 (C){+.+.}:"), sim.dump());
        assertTrue(d.contains("-> #1 (B){+.+.}:"), sim.dump());
        assertTrue(d.contains("-> #0 (A){+.+.}:"), sim.dump());
        int chain = d.indexOf("Chain exists of:");
        assertTrue(chain > 0, sim.dump());
        assertEquals("  A --> B --> C", d.get(chain + 1));
        assertEquals("A -> B -> C -> A", r.site());
    }

    @Test
    @DisplayName("the same three locks always taken in one order are clean")
    void threeLocksInOrderAreClean() {
        LockSim sim = new LockSim();
        LockSim.Ctx t1 = sim.task("one", 1, 0);
        LockSim.Ctx t2 = sim.task("two", 2, 1);
        t1.spinLock("A").spinLock("B").spinLock("C");
        t1.spinUnlock("C");
        t1.spinUnlock("B");
        t1.spinUnlock("A");
        t2.spinLock("B").spinLock("C");
        t2.spinUnlock("C");
        t2.spinUnlock("B");
        t2.spinLock("A").spinLock("C");
        assertTrue(sim.reports.isEmpty(), sim.dump());
    }

    @Test
    @DisplayName("the same ABBA twice gives two reports with one site, grouped by Reports.dedupe")
    void dedupe() {
        LockSim sim = new LockSim();
        LockSim.Ctx t1 = sim.task("alpha", 100, 0);
        LockSim.Ctx t2 = sim.task("beta", 200, 1);
        t1.spinLock("A").spinLock("B");
        t1.spinUnlock("B");
        t1.spinUnlock("A");
        for (int i = 0; i < 2; i++) {
            t2.spinLock("B").spinLock("A");
            t2.spinUnlock("A");
            t2.spinUnlock("B");
        }

        assertEquals(List.of(ReportKind.CIRCULAR_LOCKING, ReportKind.CIRCULAR_LOCKING), sim.kinds(), sim.dump());
        assertEquals(sim.reports.get(0).site(), sim.reports.get(1).site(), "same cause, same site");
        List<Reports.Group> groups = Reports.dedupe(sim.reports);
        assertEquals(1, groups.size());
        assertEquals(2, groups.get(0).count());
    }

    @Test
    @DisplayName("closing the same cycle from either side gives the same site")
    void cycleSiteIsCanonical() {
        LockSim one = new LockSim();
        LockSim.Ctx a = one.task("x", 1, 0);
        a.spinLock("A").spinLock("B");
        a.spinUnlock("B");
        a.spinUnlock("A");
        a.spinLock("B").spinLock("A");

        LockSim two = new LockSim();
        LockSim.Ctx b = two.task("x", 1, 0);
        b.spinLock("B").spinLock("A");
        b.spinUnlock("A");
        b.spinUnlock("B");
        b.spinLock("A").spinLock("B");

        assertEquals(one.only().site(), two.only().site());
    }

    @Test
    @DisplayName("a second, clean chain is validated once and the repeat is silent")
    void chainCache() {
        LockSim sim = new LockSim();
        LockSim.Ctx t = sim.task("x", 1, 0);
        for (int i = 0; i < 3; i++) {
            t.spinLock("A").spinLock("B");
            t.spinUnlock("B");
            t.spinUnlock("A");
        }
        assertTrue(sim.reports.isEmpty(), sim.dump());
    }

    @Test
    @DisplayName("a trylock adds no dependency of its own, so B then trylock(A) does not close A -> B")
    void trylockAddsNoEdge() {
        LockSim sim = new LockSim();
        LockSim.Ctx t1 = sim.task("alpha", 100, 0);
        LockSim.Ctx t2 = sim.task("beta", 200, 1);
        t1.spinLock("A").spinLock("B");
        t1.spinUnlock("B");
        t1.spinUnlock("A");
        t2.spinLock("B").spinTrylock("A");
        assertTrue(sim.reports.isEmpty(), sim.dump());
        assertFalse(sim.validator.dependsOn("B", "A"));
    }

    @Test
    @DisplayName("locks taken under a trylock depend on it and on the lock below it")
    void trylockIsAPrev() {
        LockSim sim = new LockSim();
        LockSim.Ctx t = sim.task("x", 1, 0);
        t.spinLock("A").spinTrylock("T").spinLock("C");
        assertTrue(sim.validator.dependsOn("T", "C"));
        assertTrue(sim.validator.dependsOn("A", "C"), "check_prevs_add walks past trylocks to the first plain lock");
        assertTrue(sim.reports.isEmpty(), sim.dump());
    }

    @Test
    @DisplayName("an IRQ's locks do not depend on the locks of the task it interrupted")
    void noEdgesAcrossIrqContexts() {
        LockSim sim = new LockSim();
        LockSim.Ctx t = sim.task("x", 1, 0);
        t.spinLock("A");
        t.hardirq("5", irq -> {
            irq.spinLock("B");
            irq.spinUnlock("B");
        });
        assertFalse(sim.validator.dependsOn("A", "B"), "check_prevs_add stops at the context boundary");
        assertTrue(sim.reports.isEmpty(), sim.dump());
    }

    @Test
    @DisplayName("a lock the engine pushed without telling the validator still takes part in the order")
    void adoptsUnannouncedLocks() {
        LockSim sim = new LockSim();
        LockSim.Ctx t = sim.task("x", 1, 0);
        t.st.pushLock(new HeldLock("legacy", "spin_lock", false));
        t.spinLock("B");
        assertTrue(sim.validator.dependsOn("legacy", "B"));
        t.spinUnlock("B");
        assertTrue(t.spinUnlock("legacy"), "releasing the adopted lock is balanced");
        assertTrue(sim.reports.isEmpty(), sim.dump());
    }

    @Test
    @DisplayName("recursive readers do not close a cycle: R -> A and A -> read(R) in soft IRQs is no deadlock")
    void recursiveReaderBreaksCycle() {
        LockSim sim = new LockSim();
        LockSim.Ctx t1 = sim.task("one", 1, 0);
        LockSim.Ctx t2 = sim.task("two", 2, 1);
        t1.softirq("NET_RX", s -> {
            s.readLock("R").spinLock("A");
            s.spinUnlock("A");
            s.readUnlock("R");
        });
        t2.softirq("NET_TX", s -> {
            s.spinLock("A").readLock("R");
            s.readUnlock("R");
            s.spinUnlock("A");
        });
        assertTrue(sim.reports.isEmpty(), "-(ER)-> then -(SN)-> is not a strong path:\n" + sim.dump());
    }

    @Test
    @DisplayName("the same order with a writer on R is a circular dependency")
    void writerClosesCycle() {
        LockSim sim = new LockSim();
        LockSim.Ctx t1 = sim.task("one", 1, 0);
        LockSim.Ctx t2 = sim.task("two", 2, 1);
        t1.softirq("NET_RX", s -> {
            s.readLock("R").spinLock("A");
            s.spinUnlock("A");
            s.readUnlock("R");
        });
        t2.softirq("NET_TX", s -> s.spinLock("A").writeLock("R"));
        Report r = sim.only();
        assertEquals(ReportKind.CIRCULAR_LOCKING, r.kind());
        int cpu0 = r.details().indexOf("       CPU0                    CPU1");
        assertEquals("  lock(A);", r.details().get(cpu0 + 2), sim.dump());
        assertEquals("                               lock(R);", r.details().get(cpu0 + 3));
    }
}
