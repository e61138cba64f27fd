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

class EngineTaskletTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    @DisplayName("a tasklet scheduled twice before it runs runs once, in soft IRQ context on the CPU that scheduled it")
    void runsOnceInSoftirq() {
        MachineSpec spec = MachineSpec.builder().cpus(2)
                .tasklet("rx", Program.builder().compute(us(8)).build())
                .irq("nic", 11, List.of(1), new Arrivals.At(List.of(us(100))),
                        Program.builder().taskletSchedule("rx").compute(us(2)).taskletSchedule("rx").build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        List<TraceRecord> entries = Runs.events(r, "tasklet_entry");
        assertEquals(1, entries.size(), "scheduled twice while pending, run once: " + r.traceText());
        assertEquals(1, entries.get(0).cpu(), "on the scheduling CPU");
        assertTrue((entries.get(0).flags() & TraceRecord.SOFTIRQ) != 0, "in soft IRQ context");
        assertEquals(us(102), entries.get(0).timeNs(), "right after the handler, on irq_exit");
        assertEquals(us(8), r.cpuStats().get(1).timeAt(dev.kctx.contexts.ContextLevel.SOFTIRQ), "its 8us are soft IRQ time");
    }

    @Test
    @DisplayName("a tasklet never runs on two CPUs at once: scheduled on another CPU while it runs, it waits for the first run")
    void notConcurrentWithItself() {
        MachineSpec spec = MachineSpec.builder().cpus(2)
                .tasklet("work", Program.builder().compute(us(50)).build())
                .irq("a", 10, List.of(0), new Arrivals.At(List.of(us(10))), Program.builder().taskletSchedule("work").build())
                .irq("b", 11, List.of(1), new Arrivals.At(List.of(us(20))), Program.builder().taskletSchedule("work").build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        List<TraceRecord> entries = Runs.events(r, "tasklet_entry");
        assertEquals(2, entries.size(), "it ran twice: " + r.traceText());
        assertEquals(us(10), entries.get(0).timeNs(), "first on CPU 0 at once");
        assertTrue(entries.get(1).timeNs() >= us(60), "the second run waited until the first ended at 60us: " + entries.get(1).timeNs());
    }

    @Test
    @DisplayName("a sleeping call in a tasklet is reported as in soft IRQ context; an unknown tasklet is a model error")
    void tasklerRules() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .tasklet("bad", Program.builder().mutexLock("m").mutexUnlock("m").build())
                .kthread("t", 0, 0, Program.builder().taskletSchedule("bad").compute(us(5)).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        assertEquals(1, r.reportsOf(ReportKind.SLEEP_IN_ATOMIC).size(), "mutex_lock in a tasklet: " + r.reports());
        assertEquals("tasklet bad (ksoftirqd/0)", r.reportsOf(ReportKind.SLEEP_IN_ATOMIC).get(0).where().context(),
                "scheduled from process context, it ran in ksoftirqd");
        RunResult unknown = Simulation.run(MachineSpec.builder().cpus(1)
                .kthread("t", 0, 0, Program.builder().taskletSchedule("nope").build()).build(), ms(1), true,
                com.typesafe.config.ConfigFactory.load());
        assertTrue(unknown.failure().orElse("").contains("no tasklet 'nope'"), unknown.failure().orElse("none"));
    }
}
