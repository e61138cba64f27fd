package dev.kctx.contexts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gate against the kernel's two sleeping checks: __might_resched (kernel/sched/core.c) for
 * annotated calls and schedule_debug / __schedule_bug for calls that really schedule.
 */
@DisplayName("Gate checks calls like __might_resched and __schedule_bug")
class GateTest {
    private final List<Report> reports = new ArrayList<>();
    private final Gate gate = new Gate(reports::add);

    static Stream<KernelCall> calls(KernelCall.Sleep sleep) {
        return Arrays.stream(KernelCall.values()).filter(c -> c.sleep() == sleep);
    }

    static Stream<Arguments> everyCallInEveryAtomicContext(KernelCall.Sleep sleep) {
        return calls(sleep).flatMap(c -> Arrays.stream(AtomicContext.values()).map(ctx -> Arguments.of(c, ctx)));
    }

    static Stream<Arguments> mightSleepCallsInAtomicContexts() {
        return everyCallInEveryAtomicContext(KernelCall.Sleep.MIGHT_SLEEP);
    }

    static Stream<Arguments> schedulingCallsInAtomicContexts() {
        return everyCallInEveryAtomicContext(KernelCall.Sleep.SCHEDULES);
    }

    static Stream<Arguments> safeCallsInAtomicContexts() {
        return everyCallInEveryAtomicContext(KernelCall.Sleep.NEVER);
    }

    static Stream<KernelCall> mightSleepCalls() {
        return calls(KernelCall.Sleep.MIGHT_SLEEP);
    }

    static Stream<KernelCall> schedulingCalls() {
        return calls(KernelCall.Sleep.SCHEDULES);
    }

    static Stream<Arguments> everyCallInEveryContext() {
        return Arrays.stream(KernelCall.values()).flatMap(c -> Stream.concat(Arrays.stream(AtomicContext.values())
                .map(ctx -> Arguments.of(c, ctx.name())), Stream.of(Arguments.of(c, "process context"))));
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("everyCallInEveryContext")
    @DisplayName("the quick answer without a Where is the full check's answer, for every call in every context")
    void passesAgreesWithCheck(KernelCall call, String context) {
        AtomicState st = context.equals("process context") ? new AtomicState() : AtomicContext.valueOf(context).enter();
        boolean quick = Gate.passes(call, st);
        boolean full = gate.check(call, st, where(call));
        assertEquals(full, quick, "passes and check agree");
        assertEquals(quick, reports.isEmpty(), "a report exactly when it does not pass");
    }

    private Where where(KernelCall call) {
        return new Where(0, 2_000L, ContextLevel.KERNEL, "syscall ioctl", "app", 4242, call.callName() + "()");
    }

    @Nested
    @DisplayName("for might_sleep-annotated calls")
    class MightSleep {

        @ParameterizedTest(name = "{0} in {1}")
        @MethodSource("dev.kctx.contexts.GateTest#mightSleepCallsInAtomicContexts")
        @DisplayName("each call gives exactly one sleep-in-atomic report in each atomic context")
        void reportsOnceWhenAtomic(KernelCall call, AtomicContext ctx) {
            boolean clean = gate.check(call, ctx.enter(), ctx.where(call.callName() + "()"));
            assertFalse(clean, call + " is not clean in " + ctx);
            assertEquals(1, reports.size(), call + " gives exactly one report in " + ctx);
            Report r = reports.get(0);
            assertEquals(ReportKind.SLEEP_IN_ATOMIC, r.kind(), call + " in " + ctx + " is sleep-in-atomic");
            assertEquals("BUG: sleeping function called from invalid context at " + call.site(), r.title(),
                    "the title names the file of " + call + "'s annotation");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.kctx.contexts.GateTest#mightSleepCalls")
        @DisplayName("no call reports in plain process context")
        void silentInProcessContext(KernelCall call) {
            assertTrue(gate.check(call, new AtomicState(), where(call)), call + " is clean in process context");
            assertEquals(List.of(), reports, call + " gives no report in process context");
        }

        @Test
        @DisplayName("several reasons at once still give one report")
        void oneReportForManyReasons() {
            AtomicState st = AtomicContext.SPIN_LOCK_IRQSAVE_HELD.enter();
            st.rcuReadLock();
            st.bhDisable();
            gate.check(KernelCall.MUTEX_LOCK, st, where(KernelCall.MUTEX_LOCK));
            assertEquals(1, reports.size(), "one __might_resched call prints one report");
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(AtomicContext.class)
        @DisplayName("the detail lines are __might_resched's, filled from the state")
        void detailLines(AtomicContext ctx) {
            gate.check(KernelCall.MUTEX_LOCK, ctx.enter(), ctx.where("mutex_lock(cfg)"));
            Report r = reports.get(0);
            assertEquals(List.of(
                    "in_atomic(): " + (ctx.preemptCount != 0 ? 1 : 0) + ", irqs_disabled(): " + (ctx.irqsDisabled ? 1 : 0)
                            + ", non_block: 0, pid: 42, name: rxworker",
                    "preempt_count: " + Integer.toHexString(ctx.preemptCount) + ", expected: 0",
                    "RCU nest depth: " + ctx.rcuDepth + ", expected: 0"), r.details(),
                    "the three lines __might_resched prints in " + ctx);
        }

        @Test
        @DisplayName("the detail lines read like a kernel log in a soft IRQ")
        void detailLinesInSoftirq() {
            AtomicContext ctx = AtomicContext.SERVING_SOFTIRQ;
            gate.check(KernelCall.KMALLOC_GFP_KERNEL, ctx.enter(), ctx.where("kmalloc(64, GFP_KERNEL)"));
            assertEquals(List.of(
                    "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 42, name: rxworker",
                    "preempt_count: 100, expected: 0",
                    "RCU nest depth: 0, expected: 0"), reports.get(0).details(),
                    "preempt_count prints with %x, without 0x or padding");
        }

        @Test
        @DisplayName("the report carries the state, the held locks and the call site")
        void reportFields() {
            AtomicContext ctx = AtomicContext.SPIN_LOCK_IRQSAVE_HELD;
            Where w = ctx.where("mutex_lock(cfg)");
            gate.check(KernelCall.MUTEX_LOCK, ctx.enter(), w);
            Report r = reports.get(0);
            assertEquals(w, r.where(), "the report names where the call ran");
            assertEquals(List.of("cfg (spin_lock_irqsave)"), r.locksHeld(), "the report lists the held locks");
            assertEquals(0x1, r.preemptCount(), "the report carries the caller's preempt count");
            assertTrue(r.irqsDisabled(), "the report carries the IRQ flag");
            assertEquals(Gate.siteOf(w), r.site(), "sleeping reports deduplicate by call site");
        }

        @Test
        @DisplayName("an annotation without a known file gives the bare title")
        void bareTitle() {
            gate.mightSleep("", AtomicContext.PREEMPT_DISABLED.enter(), AtomicContext.PREEMPT_DISABLED.where("x()"));
            assertEquals("BUG: sleeping function called from invalid context", reports.get(0).title(),
                    "no ' at ' without a file");
        }
    }

    @Nested
    @DisplayName("for calls that schedule")
    class Schedules {

        @ParameterizedTest(name = "{0} in {1}")
        @MethodSource("dev.kctx.contexts.GateTest#schedulingCallsInAtomicContexts")
        @DisplayName("each call gives scheduling-while-atomic exactly when preempt_count is not zero, and in a"
                + " preemptible-RCU reader rcu_note_context_switch's warning")
        void reportsOnlyWithRaisedCount(KernelCall call, AtomicContext ctx) {
            boolean clean = gate.check(call, ctx.enter(), ctx.where(call.callName() + "()"));
            boolean atomic = ctx.preemptCount != 0;
            boolean reader = ctx.rcuDepth != 0;
            assertEquals(!atomic && !reader, clean, call + " is clean in " + ctx + " only with preempt_count 0 and no reader");
            assertEquals((atomic ? 1 : 0) + (reader ? 1 : 0), reports.size(),
                    "schedule_debug tests in_atomic_preempt_off() and rcu_note_context_switch the RCU nesting, so "
                            + call + " in " + ctx + " reports once per check that fires");
            if (atomic) {
                assertEquals(ReportKind.SCHEDULING_WHILE_ATOMIC, reports.get(0).kind(),
                        call + " in " + ctx + " is scheduling-while-atomic");
            }
            if (reader) {
                assertEquals(ReportKind.RCU_VOLUNTARY_CONTEXT_SWITCH, reports.get(reports.size() - 1).kind(),
                        call + " in " + ctx + " is a voluntary context switch inside a preemptible-RCU reader");
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.kctx.contexts.GateTest#schedulingCalls")
        @DisplayName("no call reports in plain process context")
        void silentInProcessContext(KernelCall call) {
            assertTrue(gate.check(call, new AtomicState(), where(call)), call + " is clean in process context");
            assertEquals(List.of(), reports, call + " gives no report in process context");
        }

        @ParameterizedTest(name = "{0} prints {1}")
        @CsvSource({
                "HARDIRQ, 0x00010001",
                "SERVING_SOFTIRQ, 0x00000101",
                "BH_DISABLED, 0x00000201",
                "PREEMPT_DISABLED, 0x00000002",
                "SPIN_LOCK_HELD, 0x00000002",
                "SPIN_LOCK_BH_HELD, 0x00000202",
                "SPIN_LOCK_IRQSAVE_HELD, 0x00000002",
        })
        @DisplayName("the title is __schedule_bug's comm/pid/0x%08x with schedule()'s own preempt_disable counted")
        void title(AtomicContext ctx, String printed) {
            gate.scheduling(ctx.enter(), ctx.where("msleep(10ms)"));
            assertEquals("BUG: scheduling while atomic: rxworker/42/" + printed, reports.get(0).title(),
                    "the kernel prints preempt_count() inside __schedule, one above the caller's in " + ctx);
        }

        @Test
        @DisplayName("the report keeps the caller's own count and no detail lines")
        void reportFields() {
            AtomicContext ctx = AtomicContext.SPIN_LOCK_HELD;
            Where w = ctx.where("msleep(10ms)");
            gate.check(KernelCall.MSLEEP, ctx.enter(), w);
            Report r = reports.get(0);
            assertEquals(0x1, r.preemptCount(), "the report field is the caller's preempt count");
            assertEquals(List.of(), r.details(), "__schedule_bug prints no lines of its own beyond the title");
            assertEquals(List.of("cfg (spin_lock)"), r.locksHeld(), "the held locks are listed");
            assertEquals(Gate.siteOf(w), r.site(), "scheduling reports deduplicate by call site");
        }
    }

    @Nested
    @DisplayName("for atomic-safe calls")
    class Safe {

        @ParameterizedTest(name = "{0} in {1}")
        @MethodSource("dev.kctx.contexts.GateTest#safeCallsInAtomicContexts")
        @DisplayName("no call ever reports, whatever the context")
        void neverReports(KernelCall call, AtomicContext ctx) {
            assertTrue(gate.check(call, ctx.enter(), ctx.where(call.callName() + "()")),
                    call + " is clean in " + ctx);
            assertEquals(List.of(), reports, call + " gives no report in " + ctx);
        }

        @Test
        @DisplayName("no call reports even with every reason to be atomic at once")
        void neverReportsWhenEverythingIsOff() {
            AtomicState st = AtomicContext.HARDIRQ.enter();
            st.softirqServeEnter();
            st.bhDisable();
            st.preemptDisable();
            st.rcuReadLock();
            calls(KernelCall.Sleep.NEVER).forEach(c -> gate.check(c, st, where(c)));
            assertEquals(List.of(), reports, "atomic-safe calls never report");
        }
    }

    @Nested
    @DisplayName("for reports decided elsewhere")
    class Passthrough {

        @Test
        @DisplayName("report() records the given kind and title with the state, deduplicated by call site")
        void byCallSite() {
            AtomicContext ctx = AtomicContext.SPIN_LOCK_HELD;
            Where w = ctx.where("spin_lock(cfg)");
            gate.report(ReportKind.SOFT_LOCKUP, ReportKind.SOFT_LOCKUP.title(), ctx.enter(), w, List.of("stuck for 22s!"));
            Report r = reports.get(0);
            assertEquals(ReportKind.SOFT_LOCKUP, r.kind(), "the kind is passed through");
            assertEquals("watchdog: BUG: soft lockup", r.title(), "the title is passed through");
            assertEquals(List.of("stuck for 22s!"), r.details(), "the details are passed through");
            assertEquals(List.of("cfg (spin_lock)"), r.locksHeld(), "the held locks come from the state");
            assertEquals(Gate.siteOf(w), r.site(), "the call site is the default deduplication site");
        }

        @Test
        @DisplayName("report() with a site keeps that site for deduplication")
        void explicitSite() {
            AtomicContext ctx = AtomicContext.PREEMPT_DISABLED;
            gate.report(ReportKind.CIRCULAR_LOCKING, ReportKind.CIRCULAR_LOCKING.title(), ctx.enter(),
                    ctx.where("spin_lock(b)"), List.of(), "a -> b");
            assertEquals("a -> b", reports.get(0).site(), "an explicit site is kept");
        }

        @Test
        @DisplayName("the call site is context and operation")
        void siteOf() {
            assertEquals("syscall ioctl: mutex_lock()", Gate.siteOf(where(KernelCall.MUTEX_LOCK)),
                    "a site reads 'context: op'");
        }
    }
}
