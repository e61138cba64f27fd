package dev.kctx.contexts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Report reads like the kernel log")
class ReportTest {
    private final List<Report> reports = new ArrayList<>();
    private final Gate gate = new Gate(reports::add);
    private final Where where = new Where(1, 1_500_000L, ContextLevel.KERNEL, "kthread rxworker", "rxworker", 42,
            "mutex_lock(cfg)");

    @Test
    @DisplayName("a sleep-in-atomic report prints title, __might_resched lines, held locks and the task")
    void sleepInAtomicText() {
        gate.check(KernelCall.MUTEX_LOCK, AtomicContext.SPIN_LOCK_HELD.enter(), where);
        assertEquals("""
                BUG: sleeping function called from invalid context at kernel/locking/mutex.c
                in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 42, name: rxworker
                preempt_count: 1, expected: 0
                RCU nest depth: 0, expected: 0
                1 lock held by rxworker/42:
                 #0: cfg (spin_lock)
                CPU: 1 PID: 42 Comm: rxworker Context: kthread rxworker
                op: mutex_lock(cfg)
                """, reports.get(0).kernelText(), "the report is a kernel log excerpt");
    }

    @Test
    @DisplayName("several held locks are numbered from #0, outermost first")
    void severalLocks() {
        AtomicState st = AtomicContext.SPIN_LOCK_HELD.enter();
        st.pushLock(new HeldLock("stats", "read_lock", true));
        gate.check(KernelCall.MUTEX_LOCK, st, where);
        String text = reports.get(0).kernelText();
        assertTrue(text.contains("2 locks held by rxworker/42:\n #0: cfg (spin_lock)\n #1: stats (read_lock)\n"),
                "lockdep_print_held_locks pluralises and numbers the locks: " + text);
    }

    @Test
    @DisplayName("a sleeping check without locks says 'no locks held', as debug_show_held_locks does")
    void noLocksHeld() {
        gate.check(KernelCall.MUTEX_LOCK, AtomicContext.SERVING_SOFTIRQ.enter(), where);
        gate.scheduling(AtomicContext.SERVING_SOFTIRQ.enter(), where);
        for (Report r : reports) {
            assertTrue(r.kernelText().contains("\nno locks held by rxworker/42.\n"),
                    r.kind() + " states that no lock is held: " + r.kernelText());
        }
    }

    @Test
    @DisplayName("other kinds print no lock section when nothing is held")
    void noLockSectionForOtherKinds() {
        gate.report(ReportKind.BAD_UNLOCK_BALANCE, ReportKind.BAD_UNLOCK_BALANCE.title(), new AtomicState(), where,
                List.of("but there are no more locks to release!"));
        assertFalse(reports.get(0).kernelText().contains("locks held"), "only the sleeping checks print it");
    }

    @Test
    @DisplayName("a scheduling-while-atomic report starts with __schedule_bug's line")
    void schedulingText() {
        gate.scheduling(AtomicContext.SPIN_LOCK_HELD.enter(), where);
        assertEquals("""
                BUG: scheduling while atomic: rxworker/42/0x00000002
                1 lock held by rxworker/42:
                 #0: cfg (spin_lock)
                CPU: 1 PID: 42 Comm: rxworker Context: kthread rxworker
                op: mutex_lock(cfg)
                """, reports.get(0).kernelText(), "the report is a kernel log excerpt");
    }

    @Test
    @DisplayName("oneLine gives kind, title, CPU, time, context and operation")
    void oneLine() {
        gate.check(KernelCall.MUTEX_LOCK, AtomicContext.SPIN_LOCK_HELD.enter(), where);
        assertEquals("sleep-in-atomic: BUG: sleeping function called from invalid context at kernel/locking/mutex.c"
                + " (cpu 1, 1.5ms, kthread rxworker, mutex_lock(cfg))", reports.get(0).oneLine(),
                "one line per report for summaries");
    }

    @Test
    @DisplayName("the deduplication key is kind and site")
    void key() {
        Report r = new Report(ReportKind.SOFT_LOCKUP, "t", where, List.of(), 0, false, List.of(), "cpu 1");
        assertEquals("soft-lockup|cpu 1", r.key(), "the key joins kind id and site");
    }

    @Test
    @DisplayName("in the kernel log a WARN starts with the cut-here line, and the CPU line ends the report")
    void logLines() {
        Report warn = new Report(ReportKind.SYSCALL_LEFT_IRQS_DISABLED, "syscall 16 left IRQs disabled", where, List.of(), 0,
                true, List.of("WARNING: CPU: 1 PID: 42 at kernel/entry/common.c syscall_exit_to_user_mode_prepare"), "s");
        assertEquals(List.of("------------[ cut here ]------------", "syscall 16 left IRQs disabled",
                "WARNING: CPU: 1 PID: 42 at kernel/entry/common.c syscall_exit_to_user_mode_prepare",
                "CPU: " + where.cpu() + " PID: " + where.pid() + " Comm: " + where.comm()), warn.logLines());
        Report bug = new Report(ReportKind.HARD_LOCKUP, "watchdog: Watchdog detected hard LOCKUP on cpu 1", where,
                List.of("L (spin_lock)"), 1, true, List.of(), "s");
        assertEquals("watchdog: Watchdog detected hard LOCKUP on cpu 1", bug.logLines().get(0), "no cut-here line for a BUG");
        assertTrue(bug.logLines().contains(" #0: L (spin_lock)"), "the held locks: " + bug.logLines());
    }

    @Test
    @DisplayName("a report copies its lists and cannot be changed")
    void immutable() {
        List<String> locks = new ArrayList<>(List.of("a (spin_lock)"));
        List<String> details = new ArrayList<>(List.of("line"));
        Report r = new Report(ReportKind.SOFT_LOCKUP, "t", where, locks, 1, false, details, "s");
        locks.add("b (spin_lock)");
        details.clear();
        assertEquals(List.of("a (spin_lock)"), r.locksHeld(), "later changes to the caller's list do not leak in");
        assertEquals(List.of("line"), r.details(), "later changes to the caller's details do not leak in");
        assertThrows(UnsupportedOperationException.class, () -> r.details().add("x"),
                "the report's lists are unmodifiable");
    }
}
