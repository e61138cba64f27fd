package dev.kctx.contexts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Lock validator: dependencies between IRQ-safe and IRQ-unsafe locks")
@ExtendWith(LockSimInvariants.class)
class LockValidatorIrqDependencyTest {

    /** A is hardirq-safe (taken by an IRQ), B hardirq-unsafe (taken with IRQs on). */
    private static void safeAndUnsafe(LockSim.Ctx task) {
        task.hardirq("11-nic", irq -> {
            irq.spinLock("A");
            irq.spinUnlock("A");
        });
        task.spinLock("B");
        task.spinUnlock("B");
    }

    @Test
    @DisplayName("taking a hardirq-unsafe lock while holding a hardirq-safe one is a HARDIRQ-safe -> unsafe order")
    void hardirqSafeToUnsafe() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        safeAndUnsafe(task);
        assertTrue(sim.reports.isEmpty(), sim.dump());
        task.spinLockIrqsave("A");
        task.spinLock("B");

        Report r = sim.only();
        assertEquals(ReportKind.IRQ_SAFE_TO_UNSAFE, r.kind());
        assertEquals("WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected", r.title());
        List<String> d = r.details();
        assertTrue(d.contains("worker/42 [HC0[0]:SC0[0]:HE0:SE1] is trying to acquire:"), sim.dump());
        assertTrue(d.contains(" (A){-...} -> (B){+.+.}"), "the new dependency with both usages:\n" + sim.dump());
        assertTrue(d.contains("but this new dependency connects a HARDIRQ-irq-safe lock:"));
        assertTrue(d.contains("to a HARDIRQ-irq-unsafe lock:"));
        assertTrue(d.contains(" Possible interrupt unsafe locking scenario:"));
        assertTrue(d.contains("                               local_irq_disable();"));
        assertTrue(d.contains(" *** DEADLOCK ***"));
        assertEquals("HARDIRQ: A -> B", r.site());
        assertFalse(sim.validator.dependsOn("A", "B"), "the offending dependency is not recorded");
    }

    @Test
    @DisplayName("the SOFTIRQ variant gets its own title")
    void softirqSafeToUnsafe() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.softirq("NET_RX", sirq -> {
            sirq.spinLock("A");
            sirq.spinUnlock("A");
        });
        task.spinLock("B");
        task.spinUnlock("B");
        task.spinLockBh("A");
        task.spinLock("B");

        Report r = sim.only();
        assertEquals(ReportKind.IRQ_SAFE_TO_UNSAFE, r.kind());
        assertEquals("WARNING: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected", r.title());
        assertEquals("SOFTIRQ: A -> B", r.site());
    }

    @Test
    @DisplayName("a safe -> unsafe order through an intermediate lock prints the chain")
    void safeToUnsafeThroughChain() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        safeAndUnsafe(task);
        task.localIrqDisable();
        task.spinLock("M").spinLock("B");
        task.spinUnlock("B");
        task.spinUnlock("M");
        task.localIrqEnable();
        assertTrue(sim.reports.isEmpty(), "M -> B with M irq-neutral is fine:\n" + sim.dump());
        task.spinLockIrqsave("A");
        task.spinLock("M");

        Report r = sim.only();
        assertEquals(ReportKind.IRQ_SAFE_TO_UNSAFE, r.kind(), sim.dump());
        int chain = r.details().indexOf("Chain exists of:");
        assertTrue(chain > 0, sim.dump());
        assertEquals("  A --> M --> B", r.details().get(chain + 1));
        assertEquals("HARDIRQ: A -> B", r.site(), "the site is the safe/unsafe pair");
    }

    @Test
    @DisplayName("the same nesting with the inner lock always taken with IRQs off is clean")
    void safeToSafeIsClean() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.hardirq("11-nic", irq -> {
            irq.spinLock("A");
            irq.spinUnlock("A");
        });
        task.spinLockIrq("B");
        task.spinUnlockIrq("B");
        task.spinLockIrqsave("A");
        task.spinLock("B");
        task.spinUnlock("B");
        task.spinUnlockIrqrestore("A");
        assertTrue(sim.reports.isEmpty(), sim.dump());
        assertTrue(sim.validator.dependsOn("A", "B"));
    }

    @Test
    @DisplayName("an unsafe lock that becomes nested under a safe one only later is an irq lock inversion")
    void inversionWhenLockBecomesUnsafe() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.hardirq("11-nic", irq -> {
            irq.spinLock("A");
            irq.spinUnlock("A");
        });
        task.spinLockIrq("A");
        task.spinLock("B");
        task.spinUnlock("B");
        task.spinUnlockIrq("A");
        assertTrue(sim.reports.isEmpty(), "A -> B is fine while B is only taken with IRQs off:\n" + sim.dump());

        task.spinLock("B");
        Report r = sim.only();
        assertEquals(ReportKind.IRQ_LOCK_INVERSION, r.kind());
        assertEquals("WARNING: possible irq lock inversion dependency detected", r.title());
        List<String> d = r.details();
        assertTrue(d.contains("worker/42 just changed the state of lock:"), sim.dump());
        assertTrue(d.contains("but this lock was taken by another, HARDIRQ-safe lock in the past:"), sim.dump());
        assertTrue(d.contains("and interrupts could create inverse lock ordering between them."));
        assertTrue(d.contains("the shortest dependencies between 2nd lock and 1st lock:"));
        assertTrue(d.contains("  <Interrupt>"));
        assertEquals("HARDIRQ: A -> B", r.site());
    }

    @Test
    @DisplayName("a lock that becomes IRQ-safe after taking an unsafe one is an irq lock inversion (forwards)")
    void inversionWhenLockBecomesSafe() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.spinLock("B");
        task.spinUnlock("B");
        task.spinLockIrq("A");
        task.spinLock("B");
        task.spinUnlock("B");
        task.spinUnlockIrq("A");
        assertTrue(sim.reports.isEmpty(), sim.dump());

        task.hardirq("11-nic", irq -> irq.spinLock("A"));
        Report r = sim.only();
        assertEquals(ReportKind.IRQ_LOCK_INVERSION, r.kind());
        assertTrue(r.details().contains("but this lock took another, HARDIRQ-unsafe lock in the past:"), sim.dump());
        assertEquals("HARDIRQ: A -> B", r.site(), "both ways of finding the inversion share a site");
        assertEquals(ContextLevel.HARDIRQ, r.where().level());
    }

    @Test
    @DisplayName("enabling IRQs while holding the inner lock completes the inversion too")
    void inversionOnIrqEnable() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.hardirq("11-nic", irq -> {
            irq.spinLock("A");
            irq.spinUnlock("A");
        });
        task.spinLockIrq("A");
        task.spinLock("B");
        task.spinUnlock("B");
        task.spinUnlockIrq("A");
        task.localIrqDisable();
        task.spinLock("B");
        task.localIrqEnable();

        Report r = sim.only();
        assertEquals(ReportKind.IRQ_LOCK_INVERSION, r.kind(), sim.dump());
        assertEquals("local_irq_enable()", r.where().op());
    }

    @Test
    @DisplayName("the inner lock kept IRQ-disabled everywhere leaves the same graph clean")
    void inversionCleanTwin() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.hardirq("11-nic", irq -> {
            irq.spinLock("A");
            irq.spinUnlock("A");
        });
        task.spinLockIrq("A");
        task.spinLock("B");
        task.spinUnlock("B");
        task.spinUnlockIrq("A");
        task.spinLockIrqsave("B");
        task.spinUnlockIrqrestore("B");
        task.hardirq("11-nic", irq -> {
            irq.spinLock("B");
            irq.spinUnlock("B");
        });
        assertTrue(sim.reports.isEmpty(), sim.dump());
        assertEquals("{-...}", sim.validator.usage("B"));
    }

    @Test
    @DisplayName("a mutex taken under an IRQ-safe spinlock is a safe -> unsafe order: sleeping locks are in the graph")
    void mutexUnderIrqSafeSpinlock() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.hardirq("11-nic", irq -> {
            irq.spinLock("A");
            irq.spinUnlock("A");
        });
        task.mutexLock("cfg_mutex");
        task.mutexUnlock("cfg_mutex");
        assertEquals("{+.+.}", sim.validator.usage("cfg_mutex"), "a mutex is only ever taken with IRQs on");
        task.spinLockIrqsave("A");
        task.mutexLock("cfg_mutex");
        assertEquals(List.of(ReportKind.IRQ_SAFE_TO_UNSAFE), sim.kinds(), sim.dump());
    }
}
