package dev.kctx.contexts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A sleeping RCU reader in the two RCU flavours of Linux 6.6: non-preemptible RCU (rcu_read_lock is
 * preempt_disable; lockdep-RCU's rcu_preempt_sleep_check in include/linux/rcupdate.h) and preemptible
 * RCU (kernel/rcu/tree_plugin.h: rcu_read_lock_nesting, rcu_note_context_switch's WARN_ONCE).
 */
class GateRcuTest {
    private final List<Report> reports = new ArrayList<>();
    private final Gate gate = new Gate(reports::add);
    private final Where where = new Where(0, 0, ContextLevel.KERNEL, "kthread t", "t", 11, "op()");

    private static AtomicState reader(boolean preemptible) {
        AtomicState st = new AtomicState();
        st.setPreemptibleRcu(preemptible);
        st.rcuReadLock();
        return st;
    }

    private List<ReportKind> kinds() {
        return reports.stream().map(Report::kind).toList();
    }

    @Test
    @DisplayName("non-preemptible rcu_read_lock raises the preempt count and rcu_read_unlock lowers it")
    void nonPreemptibleReaderIsPreemptDisabled() {
        AtomicState st = reader(false);
        assertEquals(1, st.preemptCount(), "__rcu_read_lock is preempt_disable() without CONFIG_PREEMPT_RCU");
        assertEquals(0, st.rcuPreemptDepth(), "rcu_preempt_depth() is 0 without CONFIG_PREEMPT_RCU");
        assertTrue(st.rcuReadUnlock(), "the reader was open");
        assertEquals(0, st.preemptCount(), "rcu_read_unlock is preempt_enable()");
    }

    @Test
    @DisplayName("preemptible rcu_read_lock leaves the preempt count alone")
    void preemptibleReaderIsNesting() {
        AtomicState st = reader(true);
        assertEquals(0, st.preemptCount(), "CONFIG_PREEMPT_RCU readers are not in preempt_count");
        assertEquals(1, st.rcuPreemptDepth(), "rcu_read_lock_nesting is 1");
        assertTrue(st.sleepForbidden(), "__might_resched's offsets include the RCU nesting");
    }

    @Test
    @DisplayName("might_sleep in a non-preemptible reader: Illegal context switch, then the BUG without an RCU line")
    void mightSleepNonPreemptible() {
        assertFalse(gate.mightSleep("kernel/rcu/tree.c", reader(false), where), "the call is not clean");
        assertEquals(List.of(ReportKind.SUSPICIOUS_RCU_USAGE, ReportKind.SLEEP_IN_ATOMIC), kinds(),
                "rcu_sleep_check runs first in __might_resched");
        assertTrue(reports.get(0).details().get(0).contains("Illegal context switch in RCU read-side critical section!"),
                "lockdep-RCU's message");
        List<String> bug = reports.get(1).details();
        assertTrue(bug.get(0).startsWith("in_atomic(): 1,"), "the reader is in the preempt count: " + bug);
        assertTrue(bug.stream().noneMatch(l -> l.startsWith("RCU nest depth")),
                "no RCU nest depth line without CONFIG_PREEMPT_RCU: " + bug);
    }

    @Test
    @DisplayName("might_sleep in a preemptible reader: the BUG alone, with RCU nest depth 1")
    void mightSleepPreemptible() {
        assertFalse(gate.mightSleep("kernel/rcu/tree.c", reader(true), where), "the call is not clean");
        assertEquals(List.of(ReportKind.SLEEP_IN_ATOMIC), kinds(), "rcu_preempt_sleep_check is empty with PREEMPT_RCU");
        List<String> bug = reports.get(0).details();
        assertTrue(bug.get(0).startsWith("in_atomic(): 0,"), bug.toString());
        assertTrue(bug.contains("RCU nest depth: 1, expected: 0"), bug.toString());
    }

    @Test
    @DisplayName("schedule() in a non-preemptible reader: scheduling while atomic, then Illegal context switch")
    void scheduleNonPreemptible() {
        assertFalse(gate.scheduling(reader(false), where), "the switch is not clean");
        assertEquals(List.of(ReportKind.SCHEDULING_WHILE_ATOMIC, ReportKind.SUSPICIOUS_RCU_USAGE), kinds(),
                "schedule_debug: __schedule_bug, then rcu_sleep_check");
        assertTrue(reports.get(0).title().endsWith("/0x00000002"), "the reader's count plus schedule()'s own: "
                + reports.get(0).title());
    }

    @Test
    @DisplayName("schedule() in a preemptible reader: rcu_note_context_switch's WARN, no scheduling while atomic")
    void schedulePreemptible() {
        assertFalse(gate.scheduling(reader(true), where), "the switch is not clean");
        assertEquals(List.of(ReportKind.RCU_VOLUNTARY_CONTEXT_SWITCH), kinds(), "only the RCU warning");
        assertTrue(ReportKind.RCU_VOLUNTARY_CONTEXT_SWITCH.isWarn(), "a WARN_ONCE, printed after cut here");
        assertTrue(reports.get(0).details().contains("Voluntary context switch within RCU read-side critical section!"),
                reports.get(0).details().toString());
    }

    @Test
    @DisplayName("outside any reader neither flavour reports")
    void noReaderNoReport() {
        for (boolean preemptible : new boolean[] {false, true}) {
            AtomicState st = new AtomicState();
            st.setPreemptibleRcu(preemptible);
            assertTrue(gate.scheduling(st, where) && gate.mightSleep("x", st, where), "clean with no reader");
        }
        assertTrue(reports.isEmpty(), reports.toString());
    }

    @Test
    @DisplayName("the flavour cannot change under an open reader")
    void flavourFixedWhileReading() {
        AtomicState st = reader(false);
        assertThrows(IllegalStateException.class, () -> st.setPreemptibleRcu(true), "a reader is open");
    }

    @Test
    @DisplayName("rcu_read_lock_bh and rcu_read_lock_sched: atomic readers whose sleep gives their own lockdep-RCU message in both flavours")
    void bhAndSchedReaders() {
        for (boolean preemptible : new boolean[] {false, true}) {
            reports.clear();
            AtomicState bh = new AtomicState();
            bh.setPreemptibleRcu(preemptible);
            bh.rcuReadLockBh();
            assertEquals(PreemptCount.SOFTIRQ_DISABLE_OFFSET, bh.preemptCount(), "rcu_read_lock_bh is local_bh_disable");
            assertFalse(gate.scheduling(bh, where), "a sleeping RCU-bh reader is not clean");
            assertEquals(List.of(ReportKind.SCHEDULING_WHILE_ATOMIC, ReportKind.SUSPICIOUS_RCU_USAGE), kinds(), "bh, preemptible=" + preemptible);
            assertTrue(reports.get(1).details().get(0).contains("RCU-bh read-side"), reports.get(1).details().toString());
            assertTrue(bh.rcuReadUnlockBh() && bh.preemptCount() == 0, "rcu_read_unlock_bh ends it and enables BHs");

            reports.clear();
            AtomicState sched = new AtomicState();
            sched.setPreemptibleRcu(preemptible);
            sched.rcuReadLockSched();
            assertEquals(1, sched.preemptCount(), "rcu_read_lock_sched is preempt_disable");
            assertFalse(gate.mightSleep("x", sched, where), "a might_sleep in an RCU-sched reader is not clean");
            assertEquals(List.of(ReportKind.SUSPICIOUS_RCU_USAGE, ReportKind.SLEEP_IN_ATOMIC), kinds(), "sched, preemptible=" + preemptible);
            assertTrue(reports.get(0).details().get(0).contains("RCU-sched read-side"), reports.get(0).details().toString());
            assertTrue(sched.rcuReadUnlockSched() && sched.preemptCount() == 0, "rcu_read_unlock_sched ends it");
            assertFalse(sched.rcuReadUnlockSched(), "no second reader to end");
        }
    }
}
