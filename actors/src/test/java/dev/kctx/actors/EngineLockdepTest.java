package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Ops.SpinVariant;
import dev.kctx.actors.program.Program;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.ReportKind;
import dev.kctx.contexts.Reports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.UnaryOperator;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each lock report kind from a run of the engine, next to a near-twin that is clean. */
class EngineLockdepTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static List<ReportKind> kinds(RunResult r) {
        return Reports.dedupe(r.reports()).stream().map(g -> g.first().kind()).toList();
    }

    static MachineSpec.Builder oneCpu() {
        return MachineSpec.builder().cpus(1).watchdogThresh(ms(1));
    }

    static RunResult run(MachineSpec spec, long until) {
        return Runs.runAllowingStop(testKit, spec, until);
    }

    // recursive-locking

    @Test
    @DisplayName("recursive-locking: a thread taking a mutex it holds; the twin releases it first")
    void recursive() {
        RunResult bad = run(oneCpu().kthread("t", 0, 0, Program.builder().mutexLock("M").mutexLock("M").build()).build(), ms(1));
        assertEquals(List.of(ReportKind.RECURSIVE_LOCKING), kinds(bad), "AA on a mutex: " + bad.reports());
        RunResult good = run(oneCpu().kthread("t", 0, 0, Program.builder().mutexLock("M").mutexUnlock("M")
                .mutexLock("M").mutexUnlock("M").build()).build(), ms(1));
        assertEquals(List.of(), good.reports(), "lock, unlock, lock, unlock is clean");
    }

    // circular-locking

    static MachineSpec abba(boolean reversed) {
        return MachineSpec.builder().cpus(2)
                .kthread("alpha", 0, 0, Program.builder().spinLock("A").compute(us(5)).spinLock("B").compute(us(5))
                        .spinUnlock("B").spinUnlock("A").build())
                .kthread("beta", 1, ms(1), Program.builder().spinLock(reversed ? "B" : "A").compute(us(5))
                        .spinLock(reversed ? "A" : "B").compute(us(5)).spinUnlock(reversed ? "A" : "B")
                        .spinUnlock(reversed ? "B" : "A").build())
                .build();
    }

    @Test
    @DisplayName("circular-locking: ABBA across two CPUs is reported in a run whose timing did not deadlock")
    void circular() {
        RunResult bad = run(abba(true), ms(3));
        assertTrue(bad.reportsOf(ReportKind.SOFT_LOCKUP).isEmpty() && bad.reportsOf(ReportKind.HARD_LOCKUP).isEmpty(), "the run did not deadlock");
        assertEquals(List.of(ReportKind.CIRCULAR_LOCKING), kinds(bad), "the possible deadlock is reported: " + bad.reports());
        Report c = bad.reportsOf(ReportKind.CIRCULAR_LOCKING).get(0);
        assertTrue(String.join("\n", c.details()).contains("*** DEADLOCK ***"), "with lockdep's scenario table");
        assertTrue(String.join("\n", c.details()).contains("kthread alpha"), "naming the acquisition that made the other edge");
        assertEquals(List.of(), run(abba(false), ms(3)).reports(), "the same order on both CPUs is clean");
    }

    // inconsistent-lock-state and the real deadlock

    static MachineSpec aa(long irqAt, SpinVariant threadVariant) {
        return oneCpu()
                .kthread("worker", 0, 0, Program.builder().spinLock("L", threadVariant).compute(us(100))
                        .spinUnlock("L", threadVariant).msleep(ms(10)).build())
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(irqAt)),
                        Program.builder().spinLock("L").compute(us(1)).spinUnlock("L").build())
                .build();
    }

    @Test
    @DisplayName("AA on one CPU: inconsistent-lock-state whether or not the IRQ hit the critical section, plus a lockup when it did")
    void inconsistentAndLockup() {
        RunResult missed = run(aa(us(500), SpinVariant.PLAIN), ms(5));
        assertEquals(List.of(ReportKind.INCONSISTENT_LOCK_STATE), kinds(missed), "the usage rule fires without the bad timing");
        RunResult hit = run(aa(us(50), SpinVariant.PLAIN), ms(5));
        assertTrue(kinds(hit).contains(ReportKind.INCONSISTENT_LOCK_STATE), "usage rule: " + hit.reports());
        assertTrue(kinds(hit).contains(ReportKind.HARD_LOCKUP), "and the deadlock itself: " + hit.reports());
        RunResult twin = run(aa(us(50), SpinVariant.IRQSAVE), ms(5));
        assertEquals(List.of(), twin.reports(), "spin_lock_irqsave in the thread is clean: the IRQ waits for the unlock");
        TraceRecordAssert.irqEnteredAfter(twin, us(100));
    }

    // irq-lock-inversion: a new usage completes an irq-safe -> irq-unsafe path

    static MachineSpec inversion(SpinVariant lastTake) {
        return oneCpu()
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(us(10))),
                        Program.builder().spinLock("A").spinUnlock("A").build())
                .kthread("worker", 0, us(100), Program.builder()
                        .spinLock("A", SpinVariant.IRQSAVE).spinLock("B").spinUnlock("B").spinUnlock("A", SpinVariant.IRQSAVE)
                        .compute(us(50))
                        .spinLock("B", lastTake).compute(us(1)).spinUnlock("B", lastTake).build())
                .build();
    }

    @Test
    @DisplayName("irq-lock-inversion: B, already taken under the IRQ-safe A, is later taken with IRQs on")
    void irqLockInversion() {
        RunResult bad = run(inversion(SpinVariant.PLAIN), ms(1));
        assertEquals(List.of(ReportKind.IRQ_LOCK_INVERSION), kinds(bad), "the new usage completes the path: " + bad.reports());
        assertEquals(List.of(), run(inversion(SpinVariant.IRQSAVE), ms(1)).reports(), "taking B with IRQs off is clean");
    }

    // irq-safe-to-unsafe: a new edge from an irq-safe lock to an irq-unsafe one

    static MachineSpec safeToUnsafe(SpinVariant firstTake) {
        return oneCpu()
                .kthread("early", 0, 0, Program.builder().spinLock("B", firstTake).compute(us(1)).spinUnlock("B", firstTake).build())
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(us(50))),
                        Program.builder().spinLock("A").spinUnlock("A").build())
                .kthread("worker", 0, us(100), Program.builder()
                        .spinLock("A", SpinVariant.IRQSAVE).spinLock("B").spinUnlock("B").spinUnlock("A", SpinVariant.IRQSAVE).build())
                .build();
    }

    @Test
    @DisplayName("irq-safe-to-unsafe: taking a lock known HARDIRQ-unsafe while holding a HARDIRQ-safe one")
    void irqSafeToUnsafe() {
        RunResult bad = run(safeToUnsafe(SpinVariant.PLAIN), ms(1));
        assertEquals(List.of(ReportKind.IRQ_SAFE_TO_UNSAFE), kinds(bad), bad.reports().toString());
        assertEquals("WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected", bad.reports().get(0).title(), "the kernel's title");
        assertEquals(List.of(), run(safeToUnsafe(SpinVariant.IRQSAVE), ms(1)).reports(), "B never taken with IRQs on: clean");
    }

    // bad-unlock-balance

    @Test
    @DisplayName("bad-unlock-balance: releasing a lock this context does not hold")
    void badUnlock() {
        RunResult bad = run(oneCpu().kthread("t", 0, 0, Program.builder().spinUnlock("L").build()).build(), ms(1));
        assertEquals(List.of(ReportKind.BAD_UNLOCK_BALANCE), kinds(bad), bad.reports().toString());
        RunResult good = run(oneCpu().kthread("t", 0, 0, Program.builder().spinLock("L").spinUnlock("L").build()).build(), ms(1));
        assertEquals(List.of(), good.reports(), "a balanced pair is clean");
    }

    // lock-held-returning-to-user

    @Test
    @DisplayName("lock-held-returning-to-user: a system call that returns holding a lock; the twin unlocks first")
    void lockHeldReturningToUser() {
        UnaryOperator<Program.Builder> leaky = b -> b.syscall("ioctl", s -> s.mutexLock("M")).compute(us(5));
        RunResult bad = run(oneCpu().process("p", 0, 0, leaky.apply(Program.builder()).build()).build(), ms(1));
        assertEquals(List.of(ReportKind.LOCK_HELD_RETURNING_TO_USER), kinds(bad), bad.reports().toString());
        RunResult good = run(oneCpu().process("p", 0, 0, Program.builder()
                .syscall("ioctl", s -> s.mutexLock("M").mutexUnlock("M")).compute(us(5)).build()).build(), ms(1));
        assertEquals(List.of(), good.reports(), "unlocking before returning is clean");
    }

    // locks-held-at-exit

    @Test
    @DisplayName("locks-held-at-exit: a kernel thread that ends holding a mutex; the lock stays held, its waiter sleeps on; the twin unlocks")
    void locksHeldAtExit() {
        Program leaky = Program.builder().mutexLock("M").compute(us(20)).build();
        Program waiter = Program.builder().mutexLock("M").printk("got M").mutexUnlock("M").build();
        RunResult bad = run(oneCpu().kthread("flusher", 0, 0, leaky).kthread("worker", 0, us(100), waiter).build(), ms(1));
        assertEquals(List.of(ReportKind.LOCKS_HELD_AT_EXIT), kinds(bad), bad.reports().toString());
        Report r = bad.reports().get(0);
        assertTrue(r.title().matches("WARNING: flusher/\\d+ still has locks held!"), r.title());
        assertEquals(List.of("M (mutex_lock)"), r.locksHeld(), "the lock it still holds");
        assertEquals("do_exit", r.where().op());
        assertFalse(bad.dmesg().stream().anyMatch(l -> l.contains("got M")), "the mutex stays held by the dead thread");
        RunResult good = run(oneCpu().kthread("flusher", 0, 0, Program.builder().mutexLock("M").compute(us(20)).mutexUnlock("M").build())
                .kthread("worker", 0, us(100), waiter).build(), ms(1));
        assertEquals(List.of(), good.reports(), "unlocking before the thread ends is clean");
        assertTrue(good.dmesg().stream().anyMatch(l -> l.contains("got M")), "the worker gets the mutex");
    }

    @Test
    @DisplayName("locks-held-at-exit is not reported again for a process: its lock was reported when it went back to user space")
    void processExitHoldingLockReportedOnce() {
        Program p = Program.builder().syscall("ioctl", s -> s.mutexLock("M")).compute(us(5)).build();
        RunResult r = run(oneCpu().process("p", 0, 0, p).build(), ms(1));
        assertEquals(List.of(ReportKind.LOCK_HELD_RETURNING_TO_USER), kinds(r), r.reports().toString());
    }

    @Test
    @DisplayName("the same cause repeated is one deduplicated report with a count")
    void dedupeWithCount() {
        MachineSpec spec = oneCpu()
                .kthread("worker", 0, 0, Program.builder().spinLock("L").compute(us(10)).spinUnlock("L").msleep(us(200)).forever().build())
                .irq("nic", 11, List.of(0), new Arrivals.Every(us(100), 5, us(50)),
                        Program.builder().spinLock("L").spinUnlock("L").build())
                .build();
        RunResult r = run(spec, ms(2));
        List<Reports.Group> groups = Reports.dedupe(r.reportsOf(ReportKind.INCONSISTENT_LOCK_STATE));
        assertEquals(1, groups.size(), "one group for the one cause");
        assertTrue(groups.get(0).count() >= 2, "counted every time it fired: " + groups.get(0).count());
    }

    @Test
    @DisplayName("a writer spins while readers hold an rwlock and gets it when the last reader leaves")
    void writerWaitsForReaders() {
        MachineSpec spec = MachineSpec.builder().cpus(3)
                .kthread("r1", 0, 0, Program.builder().readLock("rw", SpinVariant.PLAIN).compute(us(100)).readUnlock("rw", SpinVariant.PLAIN).build())
                .kthread("r2", 2, 0, Program.builder().readLock("rw", SpinVariant.PLAIN).compute(us(60)).readUnlock("rw", SpinVariant.PLAIN).build())
                .kthread("w", 1, us(10), Program.builder().writeLock("rw", SpinVariant.PLAIN).compute(us(1)).writeUnlock("rw", SpinVariant.PLAIN).build())
                .build();
        RunResult r = run(spec, ms(1));
        TraceRecordAssert.exitsAt(r, "w", us(101));
        assertEquals(List.of(), r.reports(), "clean");
    }

    @Test
    @DisplayName("read locks, trylock, semaphores and completions work and are clean when used right")
    void otherPrimitives() {
        MachineSpec spec = MachineSpec.builder().cpus(2).semaphore("slots", 1)
                .kthread("r1", 0, 0, Program.builder().readLock("rw", SpinVariant.PLAIN).compute(us(20)).readUnlock("rw", SpinVariant.PLAIN).build())
                .kthread("r2", 1, us(5), Program.builder().readLock("rw", SpinVariant.PLAIN).compute(us(20)).readUnlock("rw", SpinVariant.PLAIN)
                        .writeLock("rw", SpinVariant.PLAIN).compute(us(1)).writeUnlock("rw", SpinVariant.PLAIN).build())
                .kthread("s1", 0, us(100), Program.builder().down("slots").msleep(us(50)).up("slots").build())
                .kthread("s2", 0, us(110), Program.builder().down("slots").compute(us(5)).up("slots")
                        .spinTrylock("T", t -> t.compute(us(1)).spinUnlock("T"), o -> o.compute(us(2)))
                        .waitForCompletion("done").build())
                .kthread("c", 1, us(300), Program.builder().complete("done").build())
                .build();
        RunResult r = run(spec, ms(1));
        assertEquals(List.of(), r.reports(), "clean");
        // r2 reads alongside r1 (5us..25us) and takes the write side at once since r1 left at 20us.
        TraceRecordAssert.exitsAt(r, "r2", us(26));
        TraceRecordAssert.exitsAt(r, "s2", us(300));
    }
}
