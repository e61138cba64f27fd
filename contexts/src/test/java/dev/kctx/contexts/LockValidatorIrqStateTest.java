package dev.kctx.contexts;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Lock validator: single-lock IRQ state (inconsistent lock state)")
@ExtendWith(LockSimInvariants.class)
class LockValidatorIrqStateTest {

    @Test
    @DisplayName("a lock held with plain spin_lock and then taken by a hard IRQ on the same CPU is inconsistent")
    void processHoldsThenIrqTakes() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.spinLock("dev_lock");
        task.hardirq("11-nic", irq -> {
            irq.spinLock("dev_lock");
            irq.spinUnlock("dev_lock");
        });
        task.spinUnlock("dev_lock");

        Report r = sim.only();
        assertEquals(ReportKind.INCONSISTENT_LOCK_STATE, r.kind(), sim.dump());
        assertEquals("WARNING: inconsistent lock state", r.title(), "the title stays the kernel's");
        assertTrue(r.details().contains("inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage."), sim.dump());
        assertTrue(r.details().contains("worker/42 [HC1[1]:SC0[0]:HE0:SE1] takes:"), sim.dump());
        assertTrue(r.details().contains(" (dev_lock){?.+.}, at: spin_lock(dev_lock)"),
                "the class prints ? for used in hard IRQ and with hard IRQs on:\n" + sim.dump());
        assertTrue(r.details().contains("  <Interrupt>"), "the one-CPU scenario is printed");
        assertTrue(r.details().contains(" *** DEADLOCK ***"));
        assertEquals(List.of("dev_lock (spin_lock)"), r.locksHeld(), "held locks are the interrupted context's");
        assertEquals(ContextLevel.HARDIRQ, r.where().level(), "reported where the IRQ takes the lock");
    }

    @Test
    @DisplayName("a lock used in a hard IRQ and later taken with IRQs enabled is inconsistent (the other order)")
    void irqTakesThenProcessTakes() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.hardirq("11-nic", irq -> {
            irq.spinLock("dev_lock");
            irq.spinUnlock("dev_lock");
        });
        assertTrue(sim.reports.isEmpty(), "an IRQ alone is fine");
        task.spinLock("dev_lock");
        task.spinUnlock("dev_lock");

        Report r = sim.only();
        assertEquals(ReportKind.INCONSISTENT_LOCK_STATE, r.kind());
        assertTrue(r.details().contains("inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage."), sim.dump());
        assertTrue(r.details().contains("worker/42 [HC0[0]:SC0[0]:HE1:SE1] takes:"), sim.dump());
        assertTrue(r.details().contains("{IN-HARDIRQ-W} state was registered at:"));
        assertTrue(r.details().stream().anyMatch(l -> l.contains("spin_lock(dev_lock) by worker/42 in hardirq 11-nic")),
                "the registered state points at the IRQ's acquisition:\n" + sim.dump());
    }

    @Test
    @DisplayName("both orders of the same inconsistency share one dedupe site")
    void bothOrdersShareSite() {
        LockSim a = new LockSim();
        LockSim.Ctx ta = a.task("worker", 42, 0);
        ta.spinLock("L");
        ta.hardirq("9", irq -> irq.spinLock("L"));

        LockSim b = new LockSim();
        LockSim.Ctx tb = b.task("worker", 42, 0);
        tb.hardirq("9", irq -> {
            irq.spinLock("L");
            irq.spinUnlock("L");
        });
        tb.spinLock("L");

        assertEquals(a.only().site(), b.only().site(), "the site names the class and the usage pair, not the order");
        assertEquals("L {IN-HARDIRQ-W} <-> {HARDIRQ-ON-W}", a.only().site());
    }

    @Test
    @DisplayName("the same lock taken with spin_lock_irqsave in the task and spin_lock in the IRQ is clean")
    void irqsaveTwinIsClean() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.hardirq("11-nic", irq -> {
            irq.spinLock("dev_lock");
            irq.spinUnlock("dev_lock");
        });
        task.spinLockIrqsave("dev_lock");
        task.spinUnlockIrqrestore("dev_lock");
        task.spinLockIrq("dev_lock");
        task.spinUnlockIrq("dev_lock");

        assertTrue(sim.reports.isEmpty(), sim.dump());
        assertEquals("{-...}", sim.validator.usage("dev_lock"), "used in hard IRQ only, never with IRQs on");
    }

    @Test
    @DisplayName("enabling IRQs while holding an IRQ-safe lock marks it HARDIRQ-ON and is inconsistent")
    void irqEnableWhileHolding() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.hardirq("11-nic", irq -> {
            irq.spinLock("dev_lock");
            irq.spinUnlock("dev_lock");
        });
        task.localIrqDisable();
        task.spinLock("dev_lock");
        assertTrue(sim.reports.isEmpty(), "taken with IRQs off: fine so far");
        task.localIrqEnable();

        Report r = sim.only();
        assertEquals(ReportKind.INCONSISTENT_LOCK_STATE, r.kind());
        assertTrue(r.details().contains("inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage."), sim.dump());
        assertEquals("local_irq_enable()", r.where().op(), "reported at the IRQ enable");
        assertEquals(List.of("dev_lock (spin_lock)"), r.locksHeld());
    }

    @Test
    @DisplayName("enabling IRQs with no IRQ-safe lock held is clean and marks the held locks HARDIRQ-ON")
    void irqEnableCleanTwin() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.localIrqDisable();
        task.spinLock("cfg_lock");
        assertEquals("{....}", sim.validator.usage("cfg_lock"));
        task.localIrqEnable();
        task.spinUnlock("cfg_lock");

        assertTrue(sim.reports.isEmpty(), sim.dump());
        assertEquals("{+.+.}", sim.validator.usage("cfg_lock"), "mark_held_locks set HARDIRQ-ON and SOFTIRQ-ON");
    }

    @Test
    @DisplayName("a lock taken in a soft IRQ and with plain spin_lock in the task is inconsistent (SOFTIRQ pair)")
    void softirqPair() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.softirq("NET_RX", sirq -> {
            sirq.spinLock("queue_lock");
            sirq.spinUnlock("queue_lock");
        });
        task.spinLock("queue_lock");

        Report r = sim.only();
        assertEquals(ReportKind.INCONSISTENT_LOCK_STATE, r.kind());
        assertTrue(r.details().contains("inconsistent {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W} usage."), sim.dump());
        assertEquals("queue_lock {IN-SOFTIRQ-W} <-> {SOFTIRQ-ON-W}", r.site());
    }

    @Test
    @DisplayName("spin_lock_bh in the task and spin_lock in the soft IRQ is clean")
    void bhTwinIsClean() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.softirq("NET_RX", sirq -> {
            sirq.spinLock("queue_lock");
            sirq.spinUnlock("queue_lock");
        });
        task.spinLockBh("queue_lock");
        task.spinUnlockBh("queue_lock");

        assertTrue(sim.reports.isEmpty(), sim.dump());
        assertEquals("{+.-.}", sim.validator.usage("queue_lock"), "HARDIRQ-ON from the task, IN-SOFTIRQ from NET_RX");
    }

    @Test
    @DisplayName("local_bh_enable while holding a softirq-safe lock is inconsistent")
    void bhEnableWhileHolding() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.softirq("NET_RX", sirq -> {
            sirq.spinLock("queue_lock");
            sirq.spinUnlock("queue_lock");
        });
        task.st.bhDisable();
        task.spinLock("queue_lock");
        assertTrue(sim.reports.isEmpty(), sim.dump());
        task.localBhEnable();

        Report r = sim.only();
        assertTrue(r.details().contains("inconsistent {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W} usage."), sim.dump());
        assertEquals("local_bh_enable()", r.where().op());
    }

    @Test
    @DisplayName("an IRQ arriving while its task still spins for the lock sees it held, as lockdep does")
    void irqWhileSpinning() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.spinLockStartSpinning("dev_lock");
        task.hardirq("11-nic", irq -> irq.spinLock("dev_lock"));

        Report r = sim.only();
        assertEquals(ReportKind.INCONSISTENT_LOCK_STATE, r.kind(), sim.dump());
        task.spinLockAcquired("dev_lock");
        assertTrue(task.spinUnlock("dev_lock"), "the spinning acquisition is the one released");
        assertEquals(1, sim.reports.size(), sim.dump());
    }

    @Test
    @DisplayName("rwlock read in a hard IRQ and read with IRQs on in the task is clean (tasklist_lock pattern)")
    void rwlockReadersInIrqAndTask() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.hardirq("0-timer", irq -> {
            irq.readLock("tasklist_lock");
            irq.readUnlock("tasklist_lock");
        });
        task.readLock("tasklist_lock");
        task.readUnlock("tasklist_lock");
        task.writeLockIrq("tasklist_lock");
        task.writeUnlockIrq("tasklist_lock");

        assertTrue(sim.reports.isEmpty(), sim.dump());
        assertEquals("{.?.+}", sim.validator.usage("tasklist_lock"), "read in hard IRQ and read with IRQs on");
    }

    @Test
    @DisplayName("rwlock read in a hard IRQ and write with IRQs on in the task is inconsistent")
    void rwlockWriterWithIrqsOn() {
        LockSim sim = new LockSim();
        LockSim.Ctx task = sim.task("worker", 42, 0);
        task.hardirq("0-timer", irq -> {
            irq.readLock("tasklist_lock");
            irq.readUnlock("tasklist_lock");
        });
        task.writeLock("tasklist_lock");

        Report r = sim.only();
        assertTrue(r.details().contains("inconsistent {IN-HARDIRQ-R} -> {HARDIRQ-ON-W} usage."), sim.dump());
    }
}
