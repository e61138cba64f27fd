package dev.kctx.tests.properties;

import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.ContextLevel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trace checker can fail: hand-written traces that break one rule each are caught, a correct one passes. */
@DisplayName("The trace checker")
class TraceCheckerTest {
    static final long US = 1000;
    static final int OFF_H = TraceRecord.flags(true, false, false, true, false, 0);
    static final int ON = TraceRecord.flags(false, false, false, false, false, 0);
    static final int OFF = TraceRecord.flags(true, false, false, false, false, 1);

    static GenMachine machine(boolean preemptFull) {
        return new GenMachine("t", 2, preemptFull, 4_000_000, 1, false, 4_000_000, Map.of(),
                List.of(new GenMachine.Irq("nic", 11, List.of(0), new GenMachine.At(List.of(10 * US)), List.of())),
                Map.of(), List.of(), List.of(), 100 * US);
    }

    static TraceRecord rec(long us, int cpu, int pid, int flags, String event, String args, int subject) {
        return new TraceRecord(us * US, cpu, pid == 0 ? "<idle>" : "kt", pid, flags, event, args, subject);
    }

    static TraceChecker.CpuTime stats(int cpu, long hardirqUs, long kernelUs, long idleUs) {
        long[] levels = new long[ContextLevel.values().length];
        levels[ContextLevel.HARDIRQ.ordinal()] = hardirqUs * US;
        levels[ContextLevel.KERNEL.ordinal()] = kernelUs * US;
        return new TraceChecker.CpuTime(cpu, levels, idleUs * US);
    }

    static TraceChecker.Run run(List<TraceRecord> trace, TraceChecker.CpuTime cpu0) {
        return new TraceChecker.Run(2, 100 * US, 100 * US, trace, List.of(cpu0, stats(1, 0, 0, 100)));
    }

    static List<TraceRecord> irqAt(long us) {
        return new ArrayList<>(List.of(rec(us, 0, 0, OFF_H, "irq_handler_entry", "irq=11 name=nic", 11),
                rec(us + 2, 0, 0, OFF_H, "irq_handler_exit", "irq=11 ret=handled", 11)));
    }

    static void assertFinds(String invariant, TraceChecker.Result r) {
        assertTrue(r.violations.stream().anyMatch(v -> v.startsWith(invariant + ":")), "expected " + invariant + ", found:\n" + r);
    }

    @Test
    @DisplayName("passes a trace that keeps every rule")
    void correct() {
        TraceChecker.Run r = run(irqAt(10), stats(0, 2, 0, 98));
        assertTrue(TraceChecker.preemption(machine(false), r).ok(), TraceChecker.preemption(machine(false), r).toString());
        assertTrue(TraceChecker.time(machine(false), r).ok(), TraceChecker.time(machine(false), r).toString());
    }

    @Test
    @DisplayName("accepts a handler entered at the run's last instant for an arrival at that instant")
    void arrivalAtTheEnd() {
        GenMachine m = new GenMachine("t", 2, false, 4_000_000, 1, false, 4_000_000, Map.of(),
                List.of(new GenMachine.Irq("nic", 11, List.of(0), new GenMachine.At(List.of(100 * US)), List.of())),
                Map.of(), List.of(), List.of(), 100 * US);
        TraceChecker.Run r = run(List.of(rec(100, 0, 0, OFF_H, "irq_handler_entry", "irq=11 name=nic", 11)), stats(0, 0, 0, 100));
        assertTrue(TraceChecker.preemption(m, r).ok(), TraceChecker.preemption(m, r).toString());
    }

    @Test
    @DisplayName("finds an interrupt left pending while its CPU idles with IRQs on")
    void pending() {
        assertFinds("irq-pending", TraceChecker.preemption(machine(false), run(irqAt(15), stats(0, 2, 0, 98))));
    }

    @Test
    @DisplayName("finds a hard IRQ taken right after IRQs were disabled")
    void whileDisabled() {
        List<TraceRecord> t = new ArrayList<>(List.of(
                rec(1, 0, 0, ON, "sched_switch", "prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=kt next_pid=12 next_prio=120", 12),
                rec(5, 0, 12, OFF, "kctx_op", "spin_lock_irqsave(a)", 0)));
        t.addAll(irqAt(10).stream().map(x -> new TraceRecord(x.timeNs(), 0, "kt", 12, x.flags(), x.event(), x.args(), x.subject())).toList());
        assertFinds("irq-while-disabled", TraceChecker.preemption(machine(false), run(t, stats(0, 2, 97, 1))));
    }

    @Test
    @DisplayName("finds nested hard IRQs and one line running on two CPUs")
    void nesting() {
        List<TraceRecord> t = new ArrayList<>(List.of(rec(10, 0, 0, OFF_H, "irq_handler_entry", "irq=11 name=nic", 11),
                rec(10, 1, 0, OFF_H, "irq_handler_entry", "irq=11 name=nic", 11),
                rec(11, 0, 0, OFF_H, "irq_handler_entry", "irq=12 name=x", 12)));
        TraceChecker.Result r = TraceChecker.preemption(machine(false), run(t, stats(0, 90, 0, 10)));
        assertFinds("irq-nesting", r);
        assertFinds("irq-line-concurrent", r);
        assertFinds("irq-spurious", r);
    }

    @Test
    @DisplayName("finds soft IRQs left pending on irq_exit to task context")
    void softirqOnExit() {
        List<TraceRecord> t = irqAt(10);
        t.add(1, rec(11, 0, 0, OFF_H, "softirq_raise", "vec=3 [action=NET_RX]", 3));
        t.add(rec(12, 0, 0, ON, "sched_switch", "prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=kt next_pid=12 next_prio=120", 12));
        assertFinds("softirq-on-irq-exit", TraceChecker.preemption(machine(false), run(t, stats(0, 2, 88, 10))));
    }

    @Test
    @DisplayName("finds kernel code preempted by the scheduler under preempt: none")
    void preemptedKernel() {
        List<TraceRecord> t = List.of(
                rec(1, 0, 0, ON, "sched_switch", "prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=kt next_pid=12 next_prio=120", 12),
                rec(50, 0, 12, ON, "sched_switch", "prev_comm=kt prev_pid=12 prev_prio=120 prev_state=R+ ==> next_comm=kt2 next_pid=13 next_prio=120", 13));
        assertFinds("switch", TraceChecker.preemption(machine(false), run(t, stats(0, 0, 99, 1))));
    }

    @Test
    @DisplayName("finds statistics that disagree with the trace or do not add up")
    void time() {
        TraceChecker.Result r = TraceChecker.time(machine(false), run(irqAt(10), stats(0, 3, 0, 98)));
        assertFinds("time-per-level", r);
        assertFinds("time-sum", r);
    }

    @Test
    @DisplayName("follows the replay of an arrival that came while the line ran on the other CPU, and finds it missing")
    void replayOnTheOtherCpu() {
        GenMachine m = new GenMachine("t", 2, false, 4_000_000, 1, false, 4_000_000, Map.of(),
                List.of(new GenMachine.Irq("nic", 11, List.of(1, 0), new GenMachine.At(List.of(10 * US, 11 * US)), List.of())),
                Map.of(), List.of(), List.of(), 100 * US);
        int softH = TraceRecord.flags(true, false, false, true, false, 0);
        int inSoft = TraceRecord.flags(false, true, false, false, true, 0);
        List<TraceRecord> first = List.of(rec(10, 1, 0, OFF_H, "irq_handler_entry", "irq=11 name=nic", 11),
                rec(11, 1, 0, softH, "softirq_raise", "vec=3 [action=NET_RX]", 3),
                rec(12, 1, 0, OFF_H, "irq_handler_exit", "irq=11 ret=handled", 11));
        List<TraceRecord> replayed = new ArrayList<>(first);
        replayed.addAll(List.of(rec(12, 1, 0, OFF_H, "irq_handler_entry", "irq=11 name=nic", 11),
                rec(14, 1, 0, OFF_H, "irq_handler_exit", "irq=11 ret=handled", 11),
                rec(14, 1, 0, inSoft, "softirq_entry", "vec=3 [action=NET_RX]", 3),
                rec(15, 1, 0, inSoft, "softirq_exit", "vec=3 [action=NET_RX]", 3)));
        TraceChecker.Result ok = TraceChecker.preemption(m, run(replayed, stats(0, 0, 0, 100)));
        assertTrue(ok.ok(), "the arrival at 11 us, meant for CPU 0, is the replay on CPU 1, and NET_RX runs after it:\n" + ok);
        List<TraceRecord> lost = new ArrayList<>(first);
        lost.addAll(List.of(rec(12, 1, 0, inSoft, "softirq_entry", "vec=3 [action=NET_RX]", 3),
                rec(13, 1, 0, inSoft, "softirq_exit", "vec=3 [action=NET_RX]", 3)));
        assertFinds("irq-pending", TraceChecker.preemption(m, run(lost, stats(0, 0, 0, 100))));
    }
}
