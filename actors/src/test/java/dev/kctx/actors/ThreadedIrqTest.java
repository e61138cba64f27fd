package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** request_threaded_irq: the primary handler in hard IRQ context, the thread irq/N-name at SCHED_FIFO 50. */
@DisplayName("threaded interrupts")
class ThreadedIrqTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    @DisplayName("the thread irq/11-nic runs at prio 49 (FIFO 50) right after the primary handler, ahead of CPU-bound processes, and may sleep")
    void threadRunsAtFifo50() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .threadedIrq("nic", 11, List.of(0), new Arrivals.At(List.of(ms(1), ms(3))),
                        Program.builder().compute(us(2)).build(),
                        Program.builder().compute(us(10)).msleep(us(100)).printk("irq work done").build(), true)
                .process("hog", 0, 0, Program.builder().compute(ms(100)).forever().build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(5));
        assertTrue(r.reports().isEmpty(), "sleeping in the irq thread is legal: " + r.reports());
        TraceRecord wake = Runs.first(r, t -> t.event().equals("sched_wakeup") && t.args().startsWith("comm=irq/11-nic "),
                "the thread is woken");
        assertTrue(wake.args().contains("prio=49"), "FIFO 50 is prio 49: " + wake.args());
        assertEquals(ms(1) + us(2), wake.timeNs(), "woken as the primary handler returns");
        TraceRecord run = Runs.first(r, t -> t.timeNs() >= wake.timeNs() && t.event().equals("sched_switch")
                && t.args().contains("next_comm=irq/11-nic"), "the thread runs");
        assertEquals(wake.timeNs(), run.timeNs(), "it preempts the fair hog at once");
        assertEquals(2, r.dmesg().stream().filter(l -> l.endsWith("irq work done")).count(), "one thread run per interrupt");
    }

    @Test
    @DisplayName("IRQF_ONESHOT keeps the line masked until the thread is done: an arrival meanwhile waits for the unmask")
    void oneshotMasksTheLine() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .threadedIrq("dev", 12, List.of(0), new Arrivals.At(List.of(us(100), us(150))),
                        Program.builder().compute(us(1)).build(),
                        Program.builder().compute(us(200)).build(), true)
                .build();
        RunResult r = Runs.run(testKit, spec, ms(2));
        List<Long> entries = Runs.events(r, "irq_handler_entry").stream().map(TraceRecord::timeNs).toList();
        assertEquals(List.of(us(100), us(301)), entries, "the second arrival is taken when the thread unmasks the line");
    }

    @Test
    @DisplayName("without IRQF_ONESHOT the primary handler runs at every arrival, and requests made while the thread runs count once")
    void withoutOneshot() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .threadedIrq("dev", 12, List.of(0), new Arrivals.At(List.of(us(100), us(150), us(160))),
                        Program.builder().compute(us(1)).build(),
                        Program.builder().compute(us(200)).printk("ran").build(), false)
                .build();
        RunResult r = Runs.run(testKit, spec, ms(2));
        List<Long> entries = Runs.events(r, "irq_handler_entry").stream().map(TraceRecord::timeNs).toList();
        assertEquals(List.of(us(100), us(150), us(160)), entries, "the primary handler runs at every arrival");
        assertEquals(2, r.dmesg().size(), "the thread ran for the first arrival, then once for the two during its run: " + r.dmesg());
    }

    @Test
    @DisplayName("the primary handler may not sleep (it is reported); the thread may")
    void primaryIsAtomic() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .threadedIrq("dev", 12, List.of(0), new Arrivals.At(List.of(us(100))),
                        Program.builder().msleep(us(10)).build(), Program.builder().msleep(us(10)).build(), true)
                .build();
        RunResult r = Runs.runAllowingStop(testKit, spec, ms(1));
        assertEquals(1, r.reports().size(), "one report, from the primary handler: " + r.reports());
        assertEquals(ReportKind.SCHEDULING_WHILE_ATOMIC, r.reports().get(0).kind());
        assertTrue(r.reports().get(0).where().context().startsWith("hardirq"), r.reports().get(0).where().context());
    }
}
