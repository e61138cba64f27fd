package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.ContextLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnginePreemptionTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    @DisplayName("a hard IRQ interrupts a user step at its arrival instant, its soft IRQ runs before the user resumes with exactly the cost left")
    void irqPreemptsUserAtTheInstant() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .process("u", 0, 0, Program.builder().compute(us(1000)).build())
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(us(300))),
                        Program.builder().compute(us(4)).raiseSoftirq(SoftirqVector.NET_RX).build())
                .softirq(SoftirqVector.NET_RX, Program.builder().compute(us(10)).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(5));

        TraceRecord preempt = Runs.first(r, t -> t.event().equals("kctx_preempt"), "preemption of u");
        assertEquals(us(300), preempt.timeNs(), "the user step is interrupted at the IRQ's arrival");
        assertTrue(preempt.args().contains("remaining=" + us(700) + "ns"), "700us of the 1000us step are left: " + preempt.args());
        TraceRecord entry = Runs.first(r, t -> t.event().equals("irq_handler_entry"), "irq entry");
        assertEquals(us(300), entry.timeNs(), "the handler is entered at the arrival instant");
        TraceRecord exit = Runs.first(r, t -> t.event().equals("irq_handler_exit"), "irq exit");
        assertEquals(us(304), exit.timeNs(), "the handler took its 4us");
        TraceRecord afterExit = r.trace().get(Runs.indexOf(r, exit) + 1);
        assertEquals("softirq_entry", afterExit.event(), "the raised soft IRQ runs right after irq_handler_exit");
        assertEquals(us(304), afterExit.timeNs(), "on irq_exit, at the same instant");
        TraceRecord resume = Runs.first(r, t -> t.event().equals("kctx_resume"), "resume of u");
        assertEquals(us(314), resume.timeNs(), "the user resumes after the 10us soft IRQ");
        assertTrue(Runs.indexOf(r, resume) > Runs.indexOf(r, Runs.first(r, t -> t.event().equals("softirq_exit"), "softirq exit")),
                "the user resumes only after the soft IRQ exits");
        assertTrue(resume.args().contains("remaining=" + us(700) + "ns"), "the user resumes with the 700us it had left");
        TraceRecord exitU = Runs.first(r, t -> t.event().equals("sched_process_exit"), "u exits");
        assertEquals(us(1014), exitU.timeNs(), "u finishes after 1000us of its own work plus 14us of interrupts");
        CpuStats s = r.cpuStats().get(0);
        assertEquals(us(1000), s.timeAt(ContextLevel.USER), "user time is exactly the step's cost");
        assertEquals(us(4), s.timeAt(ContextLevel.HARDIRQ), "hard IRQ time is the handler's cost");
        assertEquals(us(10), s.timeAt(ContextLevel.SOFTIRQ), "soft IRQ time is the handler's cost");
        assertEquals(1, s.irqPreemptions(), "one preemption by an interrupt");
    }

    @Test
    @DisplayName("an IRQ during a soft IRQ nests inside it, and its raise is served by the same loop's restart, not recursively")
    void nestedIrqDoesNotRecurseSoftirq() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .irq("a", 10, List.of(0), new Arrivals.At(List.of(us(100))),
                        Program.builder().compute(us(2)).raiseSoftirq(SoftirqVector.NET_RX).build())
                .irq("b", 11, List.of(0), new Arrivals.At(List.of(us(120))),
                        Program.builder().compute(us(2)).raiseSoftirq(SoftirqVector.TIMER).build())
                .softirq(SoftirqVector.NET_RX, Program.builder().compute(us(50)).build())
                .softirq(SoftirqVector.TIMER, Program.builder().compute(us(5)).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));

        List<TraceRecord> entries = Runs.events(r, "softirq_entry");
        assertEquals(2, entries.size(), "two soft IRQ runs: NET_RX, then TIMER\n" + r.traceText());
        assertEquals(SoftirqVector.NET_RX.ordinal(), entries.get(0).subject(), "NET_RX runs first");
        assertEquals(us(102), entries.get(0).timeNs(), "NET_RX runs on irq a's exit");
        TraceRecord bExit = Runs.first(r, t -> t.event().equals("irq_handler_exit") && t.subject() == 11, "b exit");
        assertEquals(us(122), bExit.timeNs(), "irq b ran nested inside the soft IRQ");
        assertTrue((bExit.flags() & TraceRecord.SOFTIRQ) != 0, "irq b's trace shows it interrupted soft IRQ context");
        TraceRecord afterB = r.trace().get(Runs.indexOf(r, bExit) + 1);
        assertEquals("kctx_resume", afterB.event(), "after a nested IRQ the interrupted soft IRQ resumes; no soft IRQ runs recursively");
        assertEquals(SoftirqVector.TIMER.ordinal(), entries.get(1).subject(), "TIMER is served by the restart");
        assertEquals(us(154), entries.get(1).timeNs(), "after NET_RX's own 50us, delayed by irq b's 2us");
        assertEquals(us(55), r.cpuStats().get(0).timeAt(ContextLevel.SOFTIRQ), "both handlers ran once");
    }

    @Test
    @DisplayName("an IRQ storm keeping NET_RX pending past 10 restarts hands it to ksoftirqd, which then waits its turn behind user processes")
    void stormHandsOffToKsoftirqd() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .process("u", 0, 0, Program.builder().compute(ms(1)).forever().build())
                .process("v", 0, 0, Program.builder().compute(ms(1)).forever().build())
                .irq("nic", 11, List.of(0), new Arrivals.Every(us(10), -1, us(100)),
                        Program.builder().compute(us(1)).raiseSoftirq(SoftirqVector.NET_RX).build())
                .softirq(SoftirqVector.NET_RX, Program.builder().compute(us(12)).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(12));

        TraceRecord wake = Runs.first(r, t -> t.event().equals("sched_wakeup") && t.args().startsWith("comm=ksoftirqd/0"),
                "ksoftirqd woken");
        List<TraceRecord> before = r.trace().subList(0, Runs.indexOf(r, wake)).stream()
                .filter(t -> t.event().equals("softirq_entry")).toList();
        assertEquals(10, before.size(), "the first __do_softirq ran 10 rounds before handing over");
        TraceRecord switchIn = Runs.first(r, t -> t.event().equals("sched_switch") && t.args().contains("next_comm=ksoftirqd/0"),
                "ksoftirqd scheduled");
        assertTrue(switchIn.timeNs() - wake.timeNs() >= ms(4), "ksoftirqd waits at least a time slice for the CPU");
        boolean userRanBetween = r.trace().subList(Runs.indexOf(r, wake), Runs.indexOf(r, switchIn)).stream()
                .anyMatch(t -> t.event().equals("sched_switch") && t.args().contains("next_comm=v"));
        assertTrue(userRanBetween, "a user process got the CPU before ksoftirqd: it competes like any task");
        assertTrue(r.cpuStats().get(0).softirqsFromKsoftirqd() > 0, "ksoftirqd then runs soft IRQs in its own context");
        assertTrue(r.cpuStats().get(0).ksoftirqdWakeups() >= 1, "the hand-off is counted");
    }

    @Test
    @DisplayName("soft IRQ work that keeps re-raising itself is handed to ksoftirqd once the loop has run 2 ms")
    void twoMillisecondLimit() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .process("u", 0, 0, Program.builder().compute(ms(50)).build())
                .irq("nic", 11, List.of(0), new Arrivals.Every(us(100), -1, us(100)),
                        Program.builder().compute(us(1)).raiseSoftirq(SoftirqVector.NET_RX).build())
                .softirq(SoftirqVector.NET_RX, Program.builder().compute(us(700)).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(4));
        TraceRecord wake = Runs.first(r, t -> t.event().equals("sched_wakeup") && t.args().startsWith("comm=ksoftirqd/0"),
                "ksoftirqd woken");
        long rounds = r.trace().subList(0, Runs.indexOf(r, wake)).stream().filter(t -> t.event().equals("softirq_entry")).count();
        assertTrue(rounds < 10, "fewer than 10 rounds ran: the time limit, not the restart limit, ended the loop (" + rounds + ")");
        assertTrue(wake.timeNs() - us(101) >= ms(2), "the loop had run at least 2ms when it handed over");
    }

    @Test
    @DisplayName("one line's handler never runs on two CPUs at once: an arrival elsewhere is replayed by the CPU running it")
    void irqLineNotConcurrent() {
        MachineSpec spec = MachineSpec.builder().cpus(2)
                .irq("nic", 11, List.of(0, 1), new Arrivals.At(List.of(us(10), us(12))),
                        Program.builder().compute(us(5)).printk("handled").build())
                .build();
        RunResult r = Runs.run(testKit, spec, us(100));
        List<TraceRecord> entries = Runs.events(r, "irq_handler_entry");
        assertEquals(2, entries.size(), "the handler ran twice: " + r.traceText());
        assertTrue(entries.stream().allMatch(t -> t.cpu() == 0), "both runs on CPU 0, where it was in progress");
        assertEquals(us(15), entries.get(1).timeNs(), "the replay follows the first run");
        assertEquals(2, r.dmesg().size(), "no operation was lost: " + r.dmesg());
    }

    @Test
    @DisplayName("two CPU-bound user processes share a CPU: each keeps it until the tick after its request is used up (HZ 250)")
    void roundRobinSlices() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .process("a", 0, 0, Program.builder().compute(ms(100)).build())
                .process("b", 0, 0, Program.builder().compute(ms(100)).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(20));
        List<Long> switches = Runs.events(r, "sched_switch").stream().map(TraceRecord::timeNs).toList();
        assertEquals(List.of(0L, ms(4), ms(8), ms(12), ms(16), ms(20)), switches, "a switch at every 4 ms tick");
        assertEquals(5, r.cpuStats().get(0).schedPreemptions(), "each tick preempts the user task whose deadline passed");
    }

    @Test
    @DisplayName("a kernel thread without might_sleep points is preempted at the tick only when the machine is preempt: full")
    void kernelPreemptionModel() {
        for (MachineSpec.Preempt mode : MachineSpec.Preempt.values()) {
            MachineSpec spec = MachineSpec.builder().cpus(1).hz(1000).preempt(mode)
                    .kthread("hog", 0, 0, Program.builder().compute(ms(5)).build())
                    .process("u", 0, 0, Program.builder().compute(ms(5)).build())
                    .build();
            RunResult r = Runs.run(testKit, spec, ms(6));
            TraceRecord firstSwitchAway = Runs.first(r, t -> t.event().equals("sched_switch") && t.args().startsWith("prev_comm=hog"),
                    "hog leaves the CPU");
            long expected = mode == MachineSpec.Preempt.FULL ? ms(1) : ms(5);
            assertEquals(expected, firstSwitchAway.timeNs(), "preempt " + mode + ": the kthread leaves the CPU at " + expected);
        }
    }

    @Test
    @DisplayName("a contended spin lock makes the waiter burn CPU time until release; a contended mutex lets other work run")
    void spinVersusMutex() {
        MachineSpec spin = MachineSpec.builder().cpus(2)
                .kthread("holder", 0, 0, Program.builder().spinLock("L").compute(us(100)).spinUnlock("L").build())
                .kthread("waiter", 1, us(10), Program.builder().spinLock("L").compute(us(5)).spinUnlock("L").build())
                .build();
        RunResult r = Runs.run(testKit, spin, ms(1));
        TraceRecord waiterExit = Runs.first(r, t -> t.event().equals("sched_process_exit") && t.args().contains("waiter"), "waiter exit");
        assertEquals(us(105), waiterExit.timeNs(), "the waiter gets the lock when the holder releases it at 100us");
        assertEquals(us(95), r.cpuStats().get(1).timeAt(ContextLevel.KERNEL), "90us spinning plus 5us of work on CPU 1");

        MachineSpec mutex = MachineSpec.builder().cpus(1)
                .kthread("holder", 0, 0, Program.builder().mutexLock("M").msleep(us(100)).mutexUnlock("M").build())
                .kthread("waiter", 0, us(10), Program.builder().mutexLock("M").compute(us(5)).mutexUnlock("M").build())
                .process("u", 0, us(20), Program.builder().compute(us(50)).build())
                .build();
        RunResult m = Runs.run(testKit, mutex, ms(1));
        TraceRecord uExit = Runs.first(m, t -> t.event().equals("sched_process_exit") && t.args().contains("comm=u"), "u exit");
        assertEquals(us(70), uExit.timeNs(), "the user process runs while the waiter sleeps on the mutex");
        TraceRecord wExit = Runs.first(m, t -> t.event().equals("sched_process_exit") && t.args().contains("waiter"), "waiter exit");
        assertEquals(us(105), wExit.timeNs(), "the waiter gets the mutex handed over at 100us");
        assertTrue(m.reports().isEmpty(), "no reports in a correct mutex use: " + m.reports());
    }

    @Test
    @DisplayName("a Java lambda handler queues operations that run in its context through the same gate")
    void javaHandler() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(us(10))),
                        Program.builder().java("rx", k -> {
                            assertEquals(ContextLevel.HARDIRQ, k.level(), "the handler sees its level");
                            k.compute(us(3)).kmalloc(128, false);
                        }).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        assertEquals(us(3), r.cpuStats().get(0).timeAt(ContextLevel.HARDIRQ), "the queued compute ran in hard IRQ context");
        assertEquals(1, r.reports().size(), "the queued kmalloc(GFP_KERNEL) was checked at the gate");
    }
}
