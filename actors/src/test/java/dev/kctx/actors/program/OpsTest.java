package dev.kctx.actors.program;

import dev.kctx.contexts.KernelCall;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("Ops: computing, sleeping, allocating, soft IRQs, system calls")
class OpsTest {

    private final FakeExec x = new FakeExec();

    static Stream<Arguments> gateCalls() {
        return Stream.of(
                Arguments.of(new Ops.Compute(5), List.of()),
                Arguments.of(new Ops.ComputeRandom(1, 9), List.of()),
                Arguments.of(new Ops.Mdelay(5), List.of(KernelCall.MDELAY)),
                Arguments.of(new Ops.Msleep(5), List.of(KernelCall.MSLEEP)),
                Arguments.of(new Ops.Nanosleep(5), List.of(KernelCall.SCHEDULE)),
                Arguments.of(Ops.Schedule.INSTANCE, List.of(KernelCall.SCHEDULE)),
                Arguments.of(Ops.CondResched.INSTANCE, List.of(KernelCall.COND_RESCHED)),
                Arguments.of(new Ops.Kmalloc(64, false), List.of(KernelCall.KMALLOC_GFP_KERNEL)),
                Arguments.of(new Ops.Kmalloc(64, true), List.of(KernelCall.KMALLOC_GFP_ATOMIC)),
                Arguments.of(new Ops.Kmalloc(64, dev.kctx.contexts.GfpFlags.parse("GFP_NOFS | __GFP_NOWARN"), List.of()),
                        List.of(KernelCall.KMALLOC_GFP_KERNEL)),
                Arguments.of(new Ops.Kmalloc(64, dev.kctx.contexts.GfpFlags.GFP_NOWAIT, List.of()),
                        List.of(KernelCall.KMALLOC_GFP_NOWAIT)),
                Arguments.of(new Ops.CopyUser(8, true), List.of(KernelCall.COPY_TO_USER)),
                Arguments.of(new Ops.CopyUser(8, false), List.of(KernelCall.COPY_FROM_USER)),
                Arguments.of(new Ops.RaiseSoftirq(SoftirqVector.NET_RX), List.of(KernelCall.RAISE_SOFTIRQ)),
                Arguments.of(new Ops.WakeUp("q"), List.of(KernelCall.WAKE_UP)),
                Arguments.of(new Ops.SpinLockPrepare("L", Ops.SpinVariant.PLAIN), List.of(KernelCall.SPIN_LOCK)),
                Arguments.of(new Ops.MutexLock("M"), List.of(KernelCall.MUTEX_LOCK)),
                Arguments.of(new Ops.Printk("hello"), List.of()),
                Arguments.of(new Ops.SysEnter("read"), List.of()),
                Arguments.of(new Ops.SysExit("read", 0), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gateCalls")
    @DisplayName("each operation passes the gate with the kernel call it models")
    void gateCall(Op op, List<KernelCall> expected) {
        op.execute(x);

        assertEquals(expected, x.checkedCalls(), op.describe() + " passes the gate as " + expected);
    }

    static Stream<Arguments> atomicVerdicts() {
        return Stream.of(
                Arguments.of(new Ops.Mdelay(5), List.of()),
                Arguments.of(new Ops.Kmalloc(64, true), List.of()),
                Arguments.of(new Ops.RaiseSoftirq(SoftirqVector.TIMER), List.of()),
                Arguments.of(new Ops.Kmalloc(64, false), List.of(ReportKind.SLEEP_IN_ATOMIC)),
                // might_alloc: GFP_NOIO still has __GFP_DIRECT_RECLAIM; GFP_ATOMIC | __GFP_NOWARN does not
                Arguments.of(new Ops.Kmalloc(64, dev.kctx.contexts.GfpFlags.parse("GFP_NOIO"), List.of()),
                        List.of(ReportKind.SLEEP_IN_ATOMIC)),
                Arguments.of(new Ops.Kmalloc(64, dev.kctx.contexts.GfpFlags.parse("GFP_ATOMIC | __GFP_NOWARN"), List.of()),
                        List.of()),
                Arguments.of(new Ops.CopyUser(8, true), List.of(ReportKind.SLEEP_IN_ATOMIC)),
                Arguments.of(new Ops.CopyUser(8, false), List.of(ReportKind.SLEEP_IN_ATOMIC)),
                Arguments.of(Ops.CondResched.INSTANCE, List.of(ReportKind.SLEEP_IN_ATOMIC)),
                Arguments.of(new Ops.Msleep(5), List.of(ReportKind.SCHEDULING_WHILE_ATOMIC)),
                Arguments.of(new Ops.Nanosleep(5), List.of(ReportKind.SCHEDULING_WHILE_ATOMIC)),
                Arguments.of(Ops.Schedule.INSTANCE, List.of(ReportKind.SCHEDULING_WHILE_ATOMIC)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("atomicVerdicts")
    @DisplayName("under a spin lock, each operation gets the kernel's verdict")
    void verdictUnderSpinLock(Op op, List<ReportKind> expected) {
        x.run(new Ops.SpinLockPrepare("L", Ops.SpinVariant.PLAIN));
        x.run(new Ops.SpinLockAcquire("L", Ops.SpinVariant.PLAIN));

        op.execute(x);

        assertEquals(expected, x.reportKinds(), op.describe() + " with preemption disabled reports " + expected);
    }

    @Test
    @DisplayName("compute occupies the CPU for its cost, is legal in user mode and leaves no trace line")
    void compute() {
        Ops.Compute c = new Ops.Compute(5_000);

        assertEquals(new Outcome.Busy(5_000), c.execute(x), "compute takes its cost");
        assertTrue(c.userMode(), "user code computes");
        assertFalse(c.traced(), "computing is not a kernel call worth a trace line");
        assertEquals("compute 5us", c.describe(), "the cost is written in readable units");
    }

    @Test
    @DisplayName("computeRandom draws its cost from the context's seeded generator, within bounds")
    void computeRandom() {
        Ops.ComputeRandom c = new Ops.ComputeRandom(100, 200);
        x.bindRandom(new SplittableRandom(7));
        FakeExec same = new FakeExec();
        same.bindRandom(new SplittableRandom(7));

        for (int i = 0; i < 200; i++) {
            Outcome.Busy b = assertInstanceOf(Outcome.Busy.class, c.execute(x), "computeRandom takes time");
            assertTrue(b.ns() >= 100 && b.ns() <= 200, "cost " + b.ns() + " is within [100, 200]");
            assertEquals(b, c.execute(same), "the same seed gives the same cost, draw " + i);
        }
        assertEquals(new Outcome.Busy(42), new Ops.ComputeRandom(42, 42).execute(x), "equal bounds give that cost");
        assertThrows(IllegalArgumentException.class, () -> new Ops.ComputeRandom(5, 4), "max below min is rejected");
    }

    @Test
    @DisplayName("mdelay busy-waits; msleep sleeps in D state")
    void delayAndSleep() {
        assertEquals(new Outcome.Busy(1_000_000), new Ops.Mdelay(1_000_000).execute(x), "mdelay occupies the CPU");
        assertEquals(new Outcome.Sleep(2_000_000, 'D'), new Ops.Msleep(2_000_000).execute(x),
                "msleep leaves the CPU in TASK_UNINTERRUPTIBLE");
        assertEquals("msleep(2ms)", new Ops.Msleep(2_000_000).describe(), "msleep text");
    }

    @Test
    @DisplayName("nanosleep's kernel side sleeps in S state, as do_nanosleep sets TASK_INTERRUPTIBLE")
    void nanosleepIsInterruptible() {
        assertEquals(new Outcome.Sleep(300_000, 'S'), new Ops.Nanosleep(300_000).execute(x),
                "a process in nanosleep(2) shows as S, not D");
        assertEquals("hrtimer_nanosleep(300us)", new Ops.Nanosleep(300_000).describe(), "named after the kernel function");
    }

    @Test
    @DisplayName("schedule() yields; cond_resched() yields only when the scheduler asked")
    void scheduleAndCondResched() {
        assertEquals(Outcome.Yield.INSTANCE, Ops.Schedule.INSTANCE.execute(x), "schedule() gives up the CPU");
        assertEquals(Outcome.Next.INSTANCE, Ops.CondResched.INSTANCE.execute(x), "no need_resched: go on");
        x.needResched = true;
        assertEquals(Outcome.Yield.INSTANCE, Ops.CondResched.INSTANCE.execute(x), "need_resched set: yield");
    }

    @Test
    @DisplayName("raise_softirq marks the vector pending and goes on")
    void raiseSoftirq() {
        assertEquals(Outcome.Next.INSTANCE, new Ops.RaiseSoftirq(SoftirqVector.BLOCK).execute(x), "raising goes on");
        assertEquals(java.util.Set.of(SoftirqVector.BLOCK), x.pending, "BLOCK is pending");
        assertEquals("raise_softirq(BLOCK)", new Ops.RaiseSoftirq(SoftirqVector.BLOCK).describe(), "text");
    }

    @Test
    @DisplayName("printk writes its line to the kernel log")
    void printk() {
        assertEquals(Outcome.Next.INSTANCE, new Ops.Printk("hello").execute(x), "printk goes on");
        assertEquals(List.of("hello"), x.printk, "the line is in the log");
    }

    @Test
    @DisplayName("a system call enters the kernel with its x86_64 number and leaves it with its return value")
    void sysEnterExit() {
        assertEquals(Outcome.Next.INSTANCE, new Ops.SysEnter("read").execute(x), "entering goes on");
        assertEquals(Outcome.Next.INSTANCE, new Ops.SysExit("read", 12).execute(x), "leaving without need_resched goes on");
        assertThrows(IllegalArgumentException.class, () -> new Ops.SysEnter("kctx_custom").execute(x),
                "a call kctx's table does not know has no number: refused rather than traced as NR -1");
        new Ops.ExceptionEntry("page_fault").execute(x);

        assertEquals(List.of(new FakeExec.SyscallEvent(true, "read", 0, 0), new FakeExec.SyscallEvent(false, "read", 0, 12),
                new FakeExec.SyscallEvent(true, "page_fault", Syscalls.EXCEPTION, 0)), x.syscalls,
                "read is NR 0; an exception enters the kernel without a system call number");
        assertTrue(new Ops.SysEnter("read").userMode(), "user code may enter the kernel");
    }

    @Test
    @DisplayName("returning to user mode yields when the scheduler wants the CPU")
    void sysExitIsPreemptionPoint() {
        x.exitKernelAnswer = true;

        assertEquals(Outcome.Yield.INSTANCE, new Ops.SysExit("write", 0).execute(x),
                "exit to user mode with need_resched schedules");
    }

    @Test
    @DisplayName("a loop is run by the runner, never executed as an operation, and needs a body")
    void loopIsStructural() {
        Ops.Loop loop = new Ops.Loop(3, List.of(new Ops.Compute(1)));

        assertThrows(IllegalStateException.class, () -> loop.execute(x), "executing a loop directly is a bug");
        assertThrows(IllegalArgumentException.class, () -> new Ops.Loop(3, List.of()), "an empty loop is rejected");
        assertEquals("loop 3", loop.describe(), "a counted loop");
        assertEquals("loop forever", new Ops.Loop(-1, List.of(new Ops.Compute(1))).describe(), "an endless loop");
    }

    @Test
    @DisplayName("a Java handler sees its context read-only and queues operations as an Inline outcome")
    void javaHandler() {
        x.now = 777;
        List<String> seen = new java.util.ArrayList<>();
        Ops.Java j = new Ops.Java("probe", api -> {
            seen.add(api.now() + " cpu" + api.cpu() + " " + api.level() + " " + api.contextName()
                    + " atomic=" + api.inAtomic() + " irq=" + api.inInterrupt());
            api.compute(5).raiseSoftirq(SoftirqVector.NET_RX);
        });

        Outcome o = j.execute(x);

        assertEquals(List.of("777 cpu0 KERNEL kthread test atomic=false irq=false"), seen,
                "the handler read time, CPU, level, context and atomic state");
        assertEquals(new Outcome.Inline(List.of(new Ops.Compute(5), new Ops.RaiseSoftirq(SoftirqVector.NET_RX))), o,
                "its queued operations come back in order");
        assertTrue(x.pending.isEmpty(), "queued operations have not run yet");
        assertEquals("java probe", j.describe(), "the handler is named in the trace");
    }

    @Test
    @DisplayName("negative durations are rejected where they are written")
    void negativeDurationsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Ops.Compute(-1), "compute");
        assertThrows(IllegalArgumentException.class, () -> new Ops.ComputeRandom(-1, 5), "computeRandom");
        assertThrows(IllegalArgumentException.class, () -> new Ops.Mdelay(-1), "mdelay");
        assertThrows(IllegalArgumentException.class, () -> new Ops.Msleep(-1), "msleep");
        assertThrows(IllegalArgumentException.class, () -> new Ops.Nanosleep(-1), "nanosleep");
        assertThrows(IllegalArgumentException.class, () -> new Outcome.Busy(-1), "a busy outcome");
        assertThrows(IllegalArgumentException.class, () -> Program.builder().nanosleep(-5), "nanosleep");
    }
}
