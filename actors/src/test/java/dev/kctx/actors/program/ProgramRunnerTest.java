package dev.kctx.actors.program;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("ProgramRunner")
class ProgramRunnerTest {

    private final List<String> log = new ArrayList<>();
    private final FakeExec x = new FakeExec();

    /** An operation that notes each execution (and whether it was a retry) and answers from a script. */
    private final class Step implements Op {
        final String name;
        final Deque<Outcome> script;
        final Outcome otherwise;
        final List<Boolean> retries = new ArrayList<>();

        Step(String name, Outcome otherwise, Outcome... script) {
            this.name = name;
            this.otherwise = otherwise;
            this.script = new ArrayDeque<>(Arrays.asList(script));
        }

        @Override
        public Outcome execute(Exec exec) {
            log.add(name);
            retries.add(exec.retrying());
            return script.isEmpty() ? otherwise : script.poll();
        }

        @Override
        public String describe() {
            return "step " + name;
        }
    }

    private Step next(String name) {
        return new Step(name, Outcome.Next.INSTANCE);
    }

    private Step busy(String name) {
        return new Step(name, new Outcome.Busy(10));
    }

    /** Runs bursts until the program exits; fails the test after {@code maxBursts}. */
    private List<Outcome> runToExit(ProgramRunner runner, int maxBursts) {
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < maxBursts; i++) {
            Outcome o = runner.burst(x);
            outcomes.add(o);
            if (o == Outcome.Exit.INSTANCE) {
                return outcomes;
            }
        }
        throw new AssertionError("program did not exit within " + maxBursts + " bursts; ran " + log);
    }

    @Test
    @DisplayName("a burst runs operations in order until one takes virtual time")
    void burstRunsUntilTimeIsTaken() {
        ProgramRunner runner = new ProgramRunner(Program.of(next("a"), next("b"), busy("c"), next("d")));

        Outcome first = runner.burst(x);

        assertEquals(new Outcome.Busy(10), first, "the burst ends with the first operation that takes time");
        assertEquals(List.of("a", "b", "c"), log, "operations before it ran in program order in the same burst");
        assertEquals("step d", runner.current().describe(), "the next burst starts after the busy operation");
        assertEquals(Outcome.Exit.INSTANCE, runner.burst(x), "after the last operation the program exits");
        assertEquals(List.of("a", "b", "c", "d"), log, "every operation ran exactly once");
    }

    @Test
    @DisplayName("an empty program exits at once")
    void emptyProgramExits() {
        ProgramRunner runner = new ProgramRunner(Program.of());

        assertNull(runner.current(), "an empty program has no current operation");
        assertEquals(Outcome.Exit.INSTANCE, runner.burst(x), "its first burst exits");
        assertEquals(0, runner.opsExecuted(), "nothing ran");
    }

    @Test
    @DisplayName("a program with repeat N runs its body N times, then exits")
    void repeatRunsBodyNTimes() {
        ProgramRunner runner = new ProgramRunner(new Program(List.of(next("a"), busy("b")), 3));

        List<Outcome> outcomes = runToExit(runner, 10);

        assertEquals(List.of("a", "b", "a", "b", "a", "b"), log, "the body ran three times in order");
        assertEquals(4, outcomes.size(), "three busy bursts and the exit");
        assertEquals(6, runner.opsExecuted(), "six operations were executed");
    }

    @Test
    @DisplayName("a forever program never exits")
    void foreverNeverExits() {
        ProgramRunner runner = new ProgramRunner(Program.builder().op(next("a")).op(busy("b")).forever().build());

        for (int i = 0; i < 100; i++) {
            assertEquals(new Outcome.Busy(10), runner.burst(x), "burst " + i + " of a forever program takes time");
        }
        assertEquals(200, log.size(), "each burst ran one iteration of the body");
        assertEquals("step a", runner.current().describe(), "the program starts its body again");
    }

    @Test
    @DisplayName("nested loops run their bodies the product of their counts, then go on")
    void nestedLoops() {
        Program p = Program.builder()
                .loop(2, outer -> outer.op(next("o")).loop(3, inner -> inner.op(busy("i"))).op(next("e")))
                .op(next("z"))
                .build();

        runToExit(new ProgramRunner(p), 20);

        assertEquals(List.of("o", "i", "i", "i", "e", "o", "i", "i", "i", "e", "z"), log,
                "the inner loop ran three times per outer iteration, the outer loop twice, then the tail");
    }

    @Test
    @DisplayName("a loop of count 1 runs its body once")
    void loopOfOneRunsOnce() {
        Program p = Program.builder().loop(1, b -> b.op(next("a")).op(next("b"))).op(next("c")).build();

        runToExit(new ProgramRunner(p), 5);

        assertEquals(List.of("a", "b", "c"), log, "a loop of one is its body, once");
    }

    @Test
    @DisplayName("a loop of count 0 does not run its body")
    void loopOfZeroRunsNothing() {
        Program p = Program.builder().op(next("a")).loop(0, b -> b.op(next("body"))).op(next("c")).build();

        runToExit(new ProgramRunner(p), 5);

        assertEquals(List.of("a", "c"), log, "for (i = 0; i < 0; i++) never enters its body");
    }

    @Test
    @DisplayName("a negative loop count loops forever")
    void negativeLoopCountIsForever() {
        Program p = Program.builder().loop(-1, b -> b.op(busy("spin"))).op(next("after")).build();
        ProgramRunner runner = new ProgramRunner(p);

        for (int i = 0; i < 50; i++) {
            runner.burst(x);
        }

        assertTrue(log.stream().allMatch("spin"::equals), "the operation after a forever loop is never reached");
        assertEquals(50, log.size(), "the body ran once per burst");
    }

    @Test
    @DisplayName("an operation that spins runs again in the next burst, marked as a retry")
    void spinIsRetried() {
        Step lock = new Step("lock", Outcome.Next.INSTANCE, new Outcome.Spin("L"));
        Step after = busy("after");
        ProgramRunner runner = new ProgramRunner(Program.of(lock, after));

        assertEquals(new Outcome.Spin("L"), runner.burst(x), "the first burst spins");
        assertSame(lock, runner.current(), "the spinning operation stays current");
        runner.burst(x);

        assertEquals(List.of("lock", "lock", "after"), log, "the spinning operation ran again before going on");
        assertEquals(List.of(false, true), lock.retries, "only the re-execution is marked as a retry");
        assertEquals(List.of(false), after.retries, "the operation after a retried one is not a retry");
    }

    @Test
    @DisplayName("an operation that blocks runs again after the wake-up, marked as a retry")
    void blockIsRetried() {
        Step wait = new Step("wait", Outcome.Next.INSTANCE, new Outcome.Block("q", 'S'), new Outcome.Block("q", 'S'));
        ProgramRunner runner = new ProgramRunner(Program.of(wait, busy("after")));

        runToExit(runner, 10);

        assertEquals(List.of(false, true, true), wait.retries,
                "every execution after a Block is a retry, the first one is not");
    }

    @Test
    @DisplayName("operations that sleep, yield or take time are not run again")
    void timedOutcomesAdvance() {
        Step sleep = new Step("sleep", new Outcome.Sleep(5, 'D'));
        Step yield = new Step("yield", Outcome.Yield.INSTANCE);
        Step softirqs = new Step("bh", Outcome.RunSoftirqs.INSTANCE);
        ProgramRunner runner = new ProgramRunner(Program.of(sleep, yield, softirqs, busy("b")));

        runToExit(runner, 10);

        assertEquals(List.of("sleep", "yield", "bh", "b"), log, "each ran once, in order");
        assertEquals(List.of(false), yield.retries, "the operation after a sleep is not a retry");
        assertEquals(List.of(false), softirqs.retries, "the operation after a yield is not a retry");
    }

    @Test
    @DisplayName("after a Next, a pending interrupt hands control back to the CPU with a checkpoint")
    void checkpointWhenCpuNeedsControl() {
        ProgramRunner runner = new ProgramRunner(Program.of(next("a"), next("b"), busy("c")));
        x.pendingIrq = true;

        assertEquals(Outcome.Checkpoint.INSTANCE, runner.burst(x), "the burst stops for the pending interrupt");
        assertEquals(List.of("a"), log, "it stopped after the operation that completed");
        x.pendingIrq = false;
        assertEquals(new Outcome.Busy(10), runner.burst(x), "the next burst goes on where it stopped");
        assertEquals(List.of("a", "b", "c"), log, "no operation ran twice");
    }

    @Test
    @DisplayName("the operations a Java handler queues run next, in order, before the rest of the program")
    void javaInlineOpsRunNext() {
        Program p = Program.builder()
                .java("handler", api -> api.op(next("q1")).op(busy("q2")).op(next("q3")))
                .op(next("after"))
                .build();
        ProgramRunner runner = new ProgramRunner(p);

        runToExit(runner, 10);

        assertEquals(List.of("q1", "q2", "q3", "after"), log, "queued operations ran right after the handler");
        assertEquals(List.of("kctx_op: java handler", "kctx_op: step q1", "kctx_op: step q2", "kctx_op: step q3",
                "kctx_op: step after"), x.trace, "the handler and each queued operation are traced as operations");
    }

    @Test
    @DisplayName("operations queued by the last handler of a repeated body run before the next iteration")
    void javaInlineAtEndOfRepeatedBody() {
        Program p = new Program(List.of(busy("body"),
                new Ops.Java("tail", api -> api.op(next("queued")))), 2);

        runToExit(new ProgramRunner(p), 10);

        assertEquals(List.of("body", "queued", "body", "queued"), log,
                "each iteration's queued operation runs before the body starts again");
    }

    @Test
    @DisplayName("a Java handler reads the context's own generator and a view of its atomic state")
    void javaHandlerSeesGeneratorAndState() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        x.bindRandom(random);
        x.atomic.preemptDisable();
        List<Object> seen = new ArrayList<>();
        Program p = Program.builder().java("h", api -> {
            seen.add(api.random());
            seen.add(api.atomicView().preemptDisableDepth());
        }).build();

        new ProgramRunner(p).burst(x);

        assertSame(random, seen.get(0), "the handler draws from the generator the entity bound");
        assertEquals(1, seen.get(1), "the handler sees the preempt depth of its context");
    }

    @Test
    @DisplayName("a Java handler that queues nothing is a plain step")
    void javaWithoutOpsIsNext() {
        List<Long> seen = new ArrayList<>();
        x.now = 1234;
        Program p = Program.builder().java("peek", api -> seen.add(api.now())).op(busy("b")).build();

        Outcome o = new ProgramRunner(p).burst(x);

        assertEquals(new Outcome.Busy(10), o, "the burst went on to the next operation");
        assertEquals(List.of(1234L), seen, "the handler saw the virtual time of its instant");
    }

    @Test
    @DisplayName("operations traced() false leave no kctx_op line")
    void untracedOpsLeaveNoLine() {
        ProgramRunner runner = new ProgramRunner(Program.builder().compute(5).raiseSoftirq(SoftirqVector.NET_RX)
                .printk("hi").mdelay(1).build());

        runToExit(runner, 10);

        assertEquals(List.of("kctx_op: mdelay(1ns)"), x.trace, "only the traced operation has a kctx_op line");
    }

    @Test
    @DisplayName("a zero-time endless loop ends the burst with Failed after the per-burst budget")
    void budgetGivesFailed() {
        Op nothing = new Op() {
            @Override
            public Outcome execute(Exec exec) {
                return Outcome.Next.INSTANCE;
            }

            @Override
            public String describe() {
                return "nothing";
            }

            @Override
            public boolean traced() {
                return false;
            }
        };
        ProgramRunner runner = new ProgramRunner(Program.builder().loop(-1, b -> b.op(nothing)).build());

        Outcome o = runner.burst(x);

        Outcome.Failed failed = assertInstanceOf(Outcome.Failed.class, o, "an endless zero-time loop fails");
        assertTrue(failed.message().contains("no progress in virtual time"), "the message says why: " + failed);
        assertTrue(failed.message().contains(x.contextName()), "the message names the context: " + failed);
        assertEquals(ProgramRunner.MAX_OPS_PER_BURST, runner.opsExecuted(),
                "exactly the budget of operations ran before the failure");
    }

    @Test
    @DisplayName("restart() goes back to the first operation and forgets a pending retry")
    void restartResets() {
        Step first = busy("first");
        Step lock = new Step("lock", Outcome.Next.INSTANCE, new Outcome.Spin("L"));
        ProgramRunner runner = new ProgramRunner(Program.of(first, lock, busy("last")));
        runner.burst(x);
        assertEquals(new Outcome.Spin("L"), runner.burst(x), "the runner is spinning on the lock");

        runner.restart();

        assertSame(first, runner.current(), "restart() goes back to the first operation");
        runner.burst(x);
        runner.burst(x);
        assertEquals(List.of(false, false), lock.retries,
                "the lock operation of the new run is not a retry of the old run's spin");
    }

    @Test
    @DisplayName("restart() inside nested loops starts the outer program again with full counts")
    void restartResetsLoopCounts() {
        Program p = Program.builder().loop(2, b -> b.op(busy("a"))).op(busy("b")).build();
        ProgramRunner runner = new ProgramRunner(p);
        runner.burst(x);

        runner.restart();
        log.clear();
        runToExit(runner, 10);

        assertEquals(List.of("a", "a", "b"), log, "the loop ran its full count after the restart");
    }

    @Test
    @DisplayName("the error path: EndSyscall skips the rest of the body, loop iterations included, and the exit returns its value")
    void endSyscallSkipsToTheExit() {
        Step c = new Step("c", Outcome.Next.INSTANCE, Outcome.Next.INSTANCE, new Outcome.EndSyscall(-4));
        ProgramRunner runner = new ProgramRunner(Program.of(next("a"), new Ops.SysEnter("read"),
                new Ops.Loop(3, List.of(next("b"), c)), next("d"), new Ops.SysExit("read", 0), next("e")));

        runToExit(runner, 10);

        assertEquals(List.of("a", "b", "c", "b", "c", "e"), log, "the third iteration and d were skipped; e, in user mode, ran");
        assertEquals(List.of(new FakeExec.SyscallEvent(true, "read", 0, 0), new FakeExec.SyscallEvent(false, "read", 0, -4)),
                x.syscalls, "sys_exit returned -4 instead of 0");
        assertTrue(x.trace.contains("kctx_syscall_error: ret=-4 at step c"), x.trace.toString());
    }

    @Test
    @DisplayName("a cleanup body queued by the failing op runs, then its return ends the call")
    void cleanupThenReturn() {
        Step fail = new Step("fail", new Outcome.Inline(List.of(next("cleanup"), new Ops.SyscallReturn(-4))));
        ProgramRunner runner = new ProgramRunner(Program.of(new Ops.SysEnter("ioctl"), fail, next("rest"),
                new Ops.SysExit("ioctl", 0), next("after")));

        runToExit(runner, 10);

        assertEquals(List.of("fail", "cleanup", "after"), log, "the cleanup ran, the rest of the body did not");
        assertEquals(-4, x.syscalls.get(1).ret(), "the exit returned the error");
    }

    @Test
    @DisplayName("a second system call after a failed one returns its own value again")
    void errorIsForOneCall() {
        ProgramRunner runner = new ProgramRunner(Program.of(new Ops.SysEnter("read"), new Ops.SyscallReturn(-4),
                new Ops.SysExit("read", 0), new Ops.SysEnter("write"), new Ops.SysExit("write", 5)));

        runToExit(runner, 10);

        assertEquals(List.of(-4L, 5L), x.syscalls.stream().filter(e -> !e.enter()).map(FakeExec.SyscallEvent::ret).toList(),
                "read failed, write returned 5");
    }

    @Test
    @DisplayName("outside a system call (a kernel thread) ending one is a model error, not a silent skip")
    void endSyscallOutsideASyscallFails() {
        ProgramRunner runner = new ProgramRunner(Program.of(next("a"), new Ops.SyscallReturn(-4), next("b")));

        Outcome o = runner.burst(x);

        assertInstanceOf(Outcome.Failed.class, o, "the run fails");
        assertTrue(((Outcome.Failed) o).message().contains("not in one"), ((Outcome.Failed) o).message());
    }
}
