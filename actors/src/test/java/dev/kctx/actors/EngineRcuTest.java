package dev.kctx.actors;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.contexts.ReportKind;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * RCU from a run of the engine: synchronize_rcu (kernel/rcu/tree.c) inside and after a reader, and a
 * reader that sleeps, on a preempt=none machine (non-preemptible RCU) and a preempt=full one
 * (CONFIG_PREEMPT_RCU), each next to a clean twin.
 */
class EngineRcuTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static RunResult run(MachineSpec.Preempt preempt, Program body) {
        return Runs.runAllowingStop(testKit, MachineSpec.builder().cpus(1).preempt(preempt).kthread("t", 0, 0, body).build(),
                ms(5));
    }

    static Program syncInReader(boolean inside) {
        var b = Program.builder().rcuReadLock().compute(us(5));
        return (inside ? b.synchronizeRcu().rcuReadUnlock() : b.rcuReadUnlock().synchronizeRcu()).build();
    }

    @Test
    @DisplayName("synchronize_rcu inside a non-preemptible reader: both lockdep-RCU messages, the BUG and scheduling while atomic")
    void synchronizeInReaderNonPreemptible() {
        RunResult bad = run(MachineSpec.Preempt.NONE, syncInReader(true));
        assertEquals(List.of(ReportKind.SUSPICIOUS_RCU_USAGE, ReportKind.SUSPICIOUS_RCU_USAGE, ReportKind.SLEEP_IN_ATOMIC,
                ReportKind.SCHEDULING_WHILE_ATOMIC), EngineLockdepTest.kinds(bad), bad.reports().toString());
        assertTrue(bad.reportsOf(ReportKind.SUSPICIOUS_RCU_USAGE).get(0).details().get(0)
                .contains("Illegal synchronize_rcu() in RCU read-side critical section!"), "tree.c's message first");
        assertEquals(List.of(), run(MachineSpec.Preempt.NONE, syncInReader(false)).reports(),
                "synchronize_rcu after rcu_read_unlock is clean");
    }

    @Test
    @DisplayName("synchronize_rcu inside a preemptible reader: lockdep-RCU, the BUG with RCU nest depth 1, the voluntary-switch WARN")
    void synchronizeInReaderPreemptible() {
        RunResult bad = run(MachineSpec.Preempt.FULL, syncInReader(true));
        assertEquals(List.of(ReportKind.SUSPICIOUS_RCU_USAGE, ReportKind.SLEEP_IN_ATOMIC,
                ReportKind.RCU_VOLUNTARY_CONTEXT_SWITCH), EngineLockdepTest.kinds(bad), bad.reports().toString());
        assertTrue(bad.reportsOf(ReportKind.SLEEP_IN_ATOMIC).get(0).details().contains("RCU nest depth: 1, expected: 0"),
                bad.reports().toString());
        assertEquals(List.of(), run(MachineSpec.Preempt.FULL, syncInReader(false)).reports(), "after the unlock: clean");
    }

    @Test
    @DisplayName("synchronize_rcu sleeps for the fixed grace period")
    void gracePeriodSleeps() {
        RunResult r = run(MachineSpec.Preempt.NONE, Program.builder().synchronizeRcu().compute(us(1)).build());
        assertEquals(List.of(), r.reports(), "outside a reader synchronize_rcu is clean in process context");
        assertEquals(1_000_000L, Ops.SynchronizeRcu.GRACE_PERIOD_NS, "kctx's fixed grace period is 1 ms");
    }

    @Test
    @DisplayName("msleep inside rcu_read_lock: scheduling while atomic and Illegal context switch without preemptible RCU,"
            + " the voluntary-switch WARN alone with it")
    void sleepInReader() {
        Program body = Program.builder().rcuReadLock().msleep(ms(1)).rcuReadUnlock().build();
        RunResult none = run(MachineSpec.Preempt.NONE, body);
        assertEquals(List.of(ReportKind.SCHEDULING_WHILE_ATOMIC, ReportKind.SUSPICIOUS_RCU_USAGE),
                EngineLockdepTest.kinds(none), none.reports().toString());
        RunResult voluntary = run(MachineSpec.Preempt.VOLUNTARY, body);
        assertEquals(EngineLockdepTest.kinds(none), EngineLockdepTest.kinds(voluntary), "voluntary is non-preemptible RCU too");
        RunResult full = run(MachineSpec.Preempt.FULL, body);
        assertEquals(List.of(ReportKind.RCU_VOLUNTARY_CONTEXT_SWITCH), EngineLockdepTest.kinds(full), full.reports().toString());
        assertEquals(List.of(), run(MachineSpec.Preempt.FULL,
                Program.builder().rcuReadLock().rcuReadUnlock().msleep(ms(1)).build()).reports(), "sleeping after the reader is clean");
    }

    @Test
    @DisplayName("synchronize_rcu inside rcu_read_lock_bh and rcu_read_lock_sched: the Illegal synchronize_rcu() message too")
    void synchronizeInBhAndSchedReaders() {
        RunResult bh = run(MachineSpec.Preempt.FULL, Program.builder().rcuReadLockBh().synchronizeRcu().rcuReadUnlockBh().build());
        assertTrue(bh.reportsOf(ReportKind.SUSPICIOUS_RCU_USAGE).stream()
                .anyMatch(r -> r.details().get(0).contains("Illegal synchronize_rcu()")), bh.reports().toString());
        assertTrue(bh.reportsOf(ReportKind.SUSPICIOUS_RCU_USAGE).stream()
                .anyMatch(r -> r.details().get(0).contains("RCU-bh")), bh.reports().toString());
        assertEquals(1, bh.reportsOf(ReportKind.SCHEDULING_WHILE_ATOMIC).size(), "bottom halves off: atomic");
        RunResult sched = run(MachineSpec.Preempt.NONE, Program.builder().rcuReadLockSched().synchronizeRcu()
                .rcuReadUnlockSched().build());
        assertTrue(sched.reportsOf(ReportKind.SUSPICIOUS_RCU_USAGE).stream()
                .anyMatch(r -> r.details().get(0).contains("RCU-sched")), sched.reports().toString());
        assertEquals(List.of(), run(MachineSpec.Preempt.NONE, Program.builder().rcuReadLockBh().compute(us(2))
                .rcuReadUnlockBh().rcuReadLockSched().rcuReadUnlockSched().synchronizeRcu().build()).reports(),
                "readers closed before synchronize_rcu: clean");
    }
}
