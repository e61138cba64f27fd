package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.ReportKind;
import dev.kctx.actors.program.SoftirqVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NMI sources: exc_nmi / nmi_handle (arch/x86/kernel/nmi.c), nmi_enter (include/linux/hardirq.h), Linux 6.6. */
@DisplayName("NMI context")
class NmiTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private static MachineSpec overHardIrq(Program nmiBody) {
        return MachineSpec.builder().cpus(1).lock("m", dev.kctx.actors.program.KernelObjects.LockType.MUTEX)
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(us(100))), Program.builder().compute(us(20)).build())
                .nmi("perf", 2, List.of(0), new Arrivals.At(List.of(us(110))), nmiBody)
                .kthread("worker", 0, 0, Program.builder().compute(us(500)).build())
                .build();
    }

    @Test
    @DisplayName("an NMI preempts a running hard IRQ handler at its arrival; the handler resumes with what it had left")
    void nestsOverHardIrq() {
        RunResult r = Runs.run(testKit, overHardIrq(Program.builder().compute(us(2)).printk("perf sample").build()), ms(1));
        assertTrue(r.reports().isEmpty(), "nothing wrong: " + r.reports());
        TraceRecord nmi = Runs.first(r, t -> t.event().equals("nmi_handler"), "the NMI handler ran");
        assertEquals(us(112), nmi.timeNs(), "taken at 110us inside the NIC handler, 2us long");
        assertEquals("perf() delta_ns: 2000 handled: 1", nmi.args(), "nmi:nmi_handler's format");
        TraceRecord exit = Runs.first(r, t -> t.event().equals("irq_handler_exit"), "the NIC handler returned");
        assertEquals(us(122), exit.timeNs(), "the NIC handler lost the NMI's 2us and no more");
        assertTrue(r.dmesg().stream().anyMatch(l -> l.endsWith("perf sample")), "printk is allowed in NMI: " + r.dmesg());
    }

    @Test
    @DisplayName("might_sleep in NMI: in_atomic() (NMI + HARDIRQ offsets), so 'sleeping function called from invalid context'")
    void mightSleepInNmi() {
        RunResult r = Runs.run(testKit, overHardIrq(Program.builder().compute(us(2)).mutexLock("m").mutexUnlock("m").build()),
                ms(1));
        assertEquals(List.of(ReportKind.SLEEP_IN_ATOMIC), r.reports().stream().map(x -> x.kind()).toList(), "one report");
        var rep = r.reports().get(0);
        assertEquals(0x120000, rep.preemptCount() & 0xff0000, "one NMI over one hard IRQ in preempt_count: "
                + Integer.toHexString(rep.preemptCount()));
        assertEquals("nmi 2 perf", rep.where().context(), "reported in the NMI handler");
    }

    @Test
    @DisplayName("an NMI runs while IRQs are disabled; an ordinary IRQ arriving with it waits for local_irq_enable")
    void runsWithIrqsDisabled() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(us(50))), Program.builder().compute(us(1)).build())
                .nmi("perf", 2, List.of(0), new Arrivals.At(List.of(us(50))), Program.builder().compute(us(1)).build())
                .kthread("worker", 0, 0, Program.builder().localIrqDisable().compute(us(100)).localIrqEnable().build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        assertEquals(us(51), Runs.first(r, t -> t.event().equals("nmi_handler"), "NMI").timeNs(), "the NMI is not masked");
        assertEquals(us(101), Runs.first(r, t -> t.event().equals("irq_handler_entry"), "IRQ").timeNs(),
                "the IRQ waits for local_irq_enable (after 100us of work and the NMI's 1us)");
    }

    @Test
    @DisplayName("NMIs do not nest: a second NMI source arriving during the first's handler runs after it returns")
    void nmisDoNotNest() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .nmi("perf", 2, List.of(0), new Arrivals.At(List.of(us(10))), Program.builder().compute(us(5)).build())
                .nmi("ghes", 3, List.of(0), new Arrivals.At(List.of(us(12))), Program.builder().compute(us(1)).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        List<Long> ends = Runs.events(r, "nmi_handler").stream().map(TraceRecord::timeNs).toList();
        assertEquals(List.of(us(15), us(16)), ends, "ghes starts when perf returns");
    }

    @Test
    @DisplayName("raise_softirq in NMI only marks the vector pending (kernel/softirq.c); no soft IRQ runs on the NMI's way out")
    void raiseSoftirqInNmi() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .nmi("perf", 2, List.of(0), new Arrivals.At(List.of(us(10))),
                        Program.builder().compute(us(1)).raiseSoftirq(SoftirqVector.TASKLET).build())
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(us(50))), Program.builder().compute(us(1)).build())
                .softirq(SoftirqVector.TASKLET, Program.builder().compute(us(1)).build())
                .kthread("worker", 0, 0, Program.builder().compute(us(200)).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        assertTrue(r.reports().isEmpty(), "the kernel does not check it: " + r.reports());
        TraceRecord entry = Runs.first(r, t -> t.event().equals("softirq_entry"), "the soft IRQ ran");
        assertEquals(us(51), entry.timeNs(), "it runs at the next irq_exit, the NIC's");
    }

    @Test
    @DisplayName("the inline CPUs and the CPU actors' message path give the same run with NMIs")
    void inlineAndMessagePathAgree() {
        MachineSpec spec = MachineSpec.builder().cpus(2)
                .irq("nic", 11, List.of(0, 1), new Arrivals.Every(us(37), 70, us(5)), Program.builder().compute(us(9)).build())
                .nmi("perf", 2, List.of(0), new Arrivals.Every(us(53), 50, us(7)),
                        Program.builder().compute(us(3)).printk("sample").build())
                .kthread("a", 0, 0, Program.builder().localIrqDisable().compute(us(40)).localIrqEnable().compute(us(20)).forever().build())
                .kthread("b", 1, 0, Program.builder().compute(us(70)).forever().build())
                .build();
        RunResult inline = Simulation.run(spec, ms(3), true, EngineDeterminismTest.threads(2));
        RunResult actors = Simulation.run(spec, ms(3), true,
                ConfigFactory.parseString("kctx.engine.inline-cpus = off\nkctx.engine.inline-bursts = off")
                        .withFallback(EngineDeterminismTest.threads(4)));
        assertTrue(Runs.events(inline, "nmi_handler").size() > 20, "NMIs ran: " + Runs.events(inline, "nmi_handler").size());
        assertEquals(EngineDeterminismTest.fingerprint(inline), EngineDeterminismTest.fingerprint(actors),
                "the message path and the inline path agree");
    }
}
