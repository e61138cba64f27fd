package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineReportsTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** The calls of the issue: three annotated sleepers, then msleep which schedules. */
    static Program.Builder sleepyCalls(Program.Builder b) {
        return b.mutexLock("m").mutexUnlock("m").kmalloc(64, false).copyToUser(16).msleep(us(50));
    }

    /** Atomic-safe calls; each context takes its own lock, so lockdep has nothing to say either. */
    static Program.Builder atomicSafeCalls(Program.Builder b, String lock) {
        return b.kmalloc(64, true).spinLock(lock).spinUnlock(lock).raiseSoftirq(SoftirqVector.TASKLET).wakeUp("wq");
    }

    @Test
    @DisplayName("in a soft IRQ handler mutex_lock, kmalloc(GFP_KERNEL) and copy_to_user each give sleep-in-atomic and msleep gives scheduling-while-atomic")
    void softirqReports() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(us(100))),
                        Program.builder().compute(us(2)).raiseSoftirq(SoftirqVector.NET_RX).build())
                .softirq(SoftirqVector.NET_RX, sleepyCalls(Program.builder()).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        List<Report> sleeps = r.reportsOf(ReportKind.SLEEP_IN_ATOMIC);
        assertEquals(List.of("mutex_lock(m)", "kmalloc(64, GFP_KERNEL)", "copy_to_user(16)"),
                sleeps.stream().map(x -> x.where().op()).toList(), "one sleep-in-atomic per annotated call, in order");
        for (Report s : sleeps) {
            assertTrue(s.title().startsWith("BUG: sleeping function called from invalid context at "), "kernel title: " + s.title());
            assertEquals(0, s.where().cpu(), "on CPU 0");
            assertEquals(us(102), s.where().timeNs(), "at the soft IRQ's instant");
            assertEquals(ContextLevel.SOFTIRQ, s.where().level(), "in soft IRQ context");
            assertEquals("softirq NET_RX", s.where().context(), "naming the vector");
            assertEquals(0x100, s.preemptCount(), "preempt_count has SOFTIRQ_OFFSET while serving");
            assertTrue(s.details().contains("preempt_count: 100, expected: 0"), "the kernel's count line: " + s.details());
        }
        List<Report> sched = r.reportsOf(ReportKind.SCHEDULING_WHILE_ATOMIC);
        assertEquals(1, sched.size(), "msleep schedules in atomic context: " + r.reports());
        assertEquals("BUG: scheduling while atomic: swapper/0/0/0x00000101", sched.get(0).title(),
                "the kernel's title names the interrupted task and the count schedule() sees (its own preempt_disable included)");
        assertEquals(4, r.reports().size(), "nothing else is reported");
        assertEquals(4, Runs.events(r, "kctx_report").size(), "each report is also a trace event");
    }

    @Test
    @DisplayName("under a spin lock in a kernel thread the same calls are reported with preempt count 1")
    void spinlockReports() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .kthread("worker", 0, 0, sleepyCalls(Program.builder().spinLock("L")).spinUnlock("L").build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        assertEquals(3, r.reportsOf(ReportKind.SLEEP_IN_ATOMIC).size(), "three sleep-in-atomic: " + r.reports());
        assertEquals(1, r.reportsOf(ReportKind.SCHEDULING_WHILE_ATOMIC).size(), "msleep under the lock schedules while atomic");
        for (Report x : r.reports()) {
            assertEquals(1, x.preemptCount(), "spin_lock disabled preemption once");
            assertEquals(List.of("L (spin_lock)"), x.locksHeld(), "the held lock is listed");
            assertEquals("kthread worker", x.where().context(), "in the kernel thread");
            assertEquals("worker", x.where().comm(), "current is the thread");
        }
        assertTrue(r.reportsOf(ReportKind.SCHEDULING_WHILE_ATOMIC).get(0).title().endsWith("worker/11/0x00000002"),
                "the title shows comm/pid/preempt_count");
    }

    @Test
    @DisplayName("the same calls in a plain kernel thread or a system call are clean, and atomic-safe calls are clean anywhere")
    void cleanTwins() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .kthread("worker", 0, 0, sleepyCalls(Program.builder()).build())
                .process("user", 0, 0, Program.builder().syscall("ioctl", b -> sleepyCalls(b)).build())
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(us(500))),
                        atomicSafeCalls(Program.builder(), "irq_lock").raiseSoftirq(SoftirqVector.NET_RX).build())
                .softirq(SoftirqVector.NET_RX, atomicSafeCalls(Program.builder(), "bh_lock").build())
                .kthread("locker", 0, ms(1), atomicSafeCalls(Program.builder().spinLock("L"), "task_lock").spinUnlock("L").build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(2));
        assertEquals(List.of(), r.reports(), "no reports on the clean twins");
        assertEquals(1, Runs.events(r, "softirq_entry").stream().filter(t -> t.subject() == SoftirqVector.NET_RX.ordinal()).count(),
                "NET_RX ran once");
        // TASKLET: raised in the hard IRQ (first round), again by NET_RX (the restart), and from process
        // context by the locker thread, which leaves it to ksoftirqd.
        assertEquals(3, Runs.events(r, "softirq_entry").stream().filter(t -> t.subject() == SoftirqVector.TASKLET.ordinal()).count(),
                "TASKLET ran for each raise that found it not pending");
        assertEquals(1, r.cpuStats().get(0).softirqsFromKsoftirqd(), "the raise from process context was served by ksoftirqd");
    }

    @Test
    @DisplayName("a system call returning to user space with a spin lock held is reported")
    void lockHeldReturningToUser() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .process("leaky", 0, 0, Program.builder().syscall("ioctl", b -> b.spinLock("L")).compute(us(5)).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        assertEquals(1, r.reportsOf(ReportKind.LOCK_HELD_RETURNING_TO_USER).size(), "one report: " + r.reports());
    }
}
