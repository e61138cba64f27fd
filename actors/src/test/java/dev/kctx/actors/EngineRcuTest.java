package dev.kctx.actors;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.trace.TraceRecord;
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
    @DisplayName("without readers synchronize_rcu waits one jiffy: the grace period starts and ends one check later")
    void gracePeriodWithoutReaders() {
        RunResult r = run(MachineSpec.Preempt.NONE, Program.builder().synchronizeRcu().printk("after").build());
        assertEquals(List.of(), r.reports(), "outside a reader synchronize_rcu is clean in process context");
        assertEquals(List.of(0L), times(r, "rcu_grace_period", "start"));
        assertEquals(List.of(ms(1)), times(r, "rcu_grace_period", "end"));
        assertEquals(List.of(ms(1)), logged(r, "after"), "the caller runs on when the grace period ends");
    }

    /** A reader on CPU 1 from 0 to 50 ms; CPU 0 calls call_rcu, then synchronize_rcu, at 1 ms. */
    static RunResult longReader(MachineSpec.Preempt preempt, boolean sleepingReader) {
        var reader = Program.builder().rcuReadLock();
        (sleepingReader ? reader.msleep(ms(50)) : reader.compute(ms(50))).rcuReadUnlock().printk("unlocked");
        return Runs.runAllowingStop(testKit, MachineSpec.builder().cpus(2).preempt(preempt)
                .kthread("reader", 1, 0, reader.build())
                .kthread("updater", 0, ms(1), Program.builder()
                        .callRcu("free_old", List.of(new Ops.Compute(us(2))))
                        .synchronizeRcu().printk("synchronized").build())
                .build(), ms(60));
    }

    @Test
    @DisplayName("a reader inside rcu_read_lock for 50 ms holds synchronize_rcu and call_rcu's callback until it leaves")
    void readerDelaysGracePeriod() {
        RunResult r = longReader(MachineSpec.Preempt.NONE, false);
        assertEquals(List.of(), r.reports(), r.reports().toString());
        assertEquals(List.of(ms(50)), logged(r, "unlocked"));
        assertEquals(List.of(ms(51), ms(52)), times(r, "rcu_grace_period", "end"),
                "call_rcu's grace period ends at the first check after the reader left (a jiffy tick of its start at 1 ms);"
                        + " synchronize_rcu, asked while it ran, waits for the next full one");
        assertEquals(List.of(ms(52)), logged(r, "synchronized"));
        List<TraceRecord> cb = r.trace().stream().filter(t -> t.event().equals("rcu_invoke_callback")).toList();
        assertEquals(1, cb.size(), r.traceText());
        assertEquals(ms(51), cb.get(0).timeNs());
        assertEquals(0, cb.get(0).cpu(), "the callback runs on the CPU that queued it");
        assertTrue(r.traceText().contains("softirq_entry: vec=9 [action=RCU]"), "in RCU_SOFTIRQ");
    }

    @Test
    @DisplayName("with preemptible RCU a reader that sleeps inside its section blocks the grace period until it leaves")
    void preemptedReaderBlocksGracePeriod() {
        RunResult r = longReader(MachineSpec.Preempt.FULL, true);
        assertEquals(List.of(ReportKind.RCU_VOLUNTARY_CONTEXT_SWITCH), EngineLockdepTest.kinds(r), r.reports().toString());
        assertEquals(List.of(ms(52)), logged(r, "synchronized"), "as with the reader that computes");
    }

    @Test
    @DisplayName("a machine that does not use RCU gets no RCU event: same events with an unused reader op elsewhere")
    void noEventsWithoutRcu() {
        RunResult plain = run(MachineSpec.Preempt.NONE, Program.builder().compute(us(5)).build());
        RunResult reader = run(MachineSpec.Preempt.NONE, Program.builder().rcuReadLock().compute(us(5)).rcuReadUnlock().build());
        assertEquals(plain.events(), reader.events(), "readers alone arm nothing");
    }

    @Test
    @DisplayName("a callback that sleeps runs in soft IRQ context: the kernel's BUG; rcu_barrier waits for the callbacks")
    void callbackContextAndBarrier() {
        RunResult bad = run(MachineSpec.Preempt.NONE, Program.builder()
                .callRcu("free_slow", List.of(new Ops.Msleep(ms(1)))).compute(us(1)).build());
        assertEquals(List.of(ReportKind.SCHEDULING_WHILE_ATOMIC), EngineLockdepTest.kinds(bad), bad.reports().toString());
        assertTrue(bad.reports().get(0).where().context().contains("softirq RCU"), bad.reports().get(0).where().toString());
        RunResult barrier = run(MachineSpec.Preempt.NONE, Program.builder()
                .callRcu("free_a", List.of(new Ops.Compute(us(3)))).rcuBarrier().printk("barrier done").build());
        assertEquals(List.of(), barrier.reports());
        long invoked = times(barrier, "rcu_invoke_callback", "free_a").get(0);
        long done = logged(barrier, "barrier done").get(0);
        assertTrue(done >= invoked + us(3), "rcu_barrier returns after the callback ran: " + invoked + " " + done);
    }

    /** When the kernel log got a line ending in {@code text} (printk's microsecond timestamps). */
    static List<Long> logged(RunResult r, String text) {
        return r.dmesg().stream().filter(l -> l.endsWith("] " + text)).map(l -> {
            String[] t = l.substring(1, l.indexOf(']')).trim().split("\\.");
            return (Long.parseLong(t[0]) * 1_000_000L + Long.parseLong(t[1])) * 1_000L;
        }).toList();
    }

    static List<Long> times(RunResult r, String event, String text) {
        return r.trace().stream().filter(t -> t.event().equals(event) && t.args().contains(text)).map(TraceRecord::timeNs).toList();
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
