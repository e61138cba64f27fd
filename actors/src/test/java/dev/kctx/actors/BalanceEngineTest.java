package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.sched.SchedAttr;
import dev.kctx.actors.trace.TraceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wake-up placement, balancing and RT push on machines with several CPUs. */
@DisplayName("several CPUs: placement, balancing, RT push")
class BalanceEngineTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static Program hog() {
        return Program.builder().compute(ms(100)).forever().build();
    }

    @Test
    @DisplayName("four CPU-bound tasks that may run anywhere, all started on CPU 0 of 4, end up one per CPU")
    void spreadOverIdleCpus() {
        MachineSpec.Builder b = MachineSpec.builder().cpus(4);
        for (int i = 0; i < 4; i++) {
            b.process(new MachineSpec.Task("hog" + i, 0, 0, hog(), 0, SchedAttr.DEFAULT, List.of(0, 1, 2, 3)));
        }
        RunResult r = Runs.run(testKit, b.build(), ms(200));
        for (CpuStats s : r.cpuStats()) {
            assertTrue(s.idleNs() < ms(10), "cpu " + s.cpu() + " is busy: idle " + s.idleNs());
        }
        assertTrue(Runs.events(r, "sched_migrate_task").size() >= 3, "three tasks moved");
    }

    @Test
    @DisplayName("a task woken while its CPU is busy goes to an idle CPU (select_idle_sibling); a pinned one stays")
    void wakeToIdle() {
        MachineSpec spec = MachineSpec.builder().cpus(2)
                .process(new MachineSpec.Task("hog", 0, 0, hog(), 0, SchedAttr.DEFAULT, List.of(0)))
                .process(new MachineSpec.Task("sleeper", 0, 0,
                        Program.builder().loop(-1, l -> l.compute(us(10)).nanosleep(ms(1))).build(), 0, SchedAttr.DEFAULT, List.of(0, 1)))
                .build();
        RunResult r = Runs.run(testKit, spec, ms(20));
        TraceRecord moved = Runs.first(r, t -> t.event().equals("sched_migrate_task") && t.args().startsWith("comm=sleeper"),
                "the sleeper moves");
        assertTrue(moved.args().endsWith("orig_cpu=0 dest_cpu=1"), moved.args());
        List<TraceRecord> wakes = Runs.events(r, "sched_wakeup").stream().filter(t -> t.args().startsWith("comm=sleeper")).toList();
        assertTrue(wakes.stream().skip(1).allMatch(t -> t.args().endsWith("target_cpu=001")),
                "then it stays on the idle CPU 1: " + wakes);
        Map<String, Long> rt = SchedulerPropertiesTest.runtimes(r);
        assertTrue(rt.get("hog") >= ms(19), "the pinned hog kept CPU 0: " + rt.get("hog"));
    }

    @Test
    @DisplayName("an RT task woken on a CPU where a higher RT task runs goes to the CPU running fair work (find_lowest_rq)")
    void rtGoesWhereItRuns() {
        MachineSpec spec = MachineSpec.builder().cpus(2)
                .process(new MachineSpec.Task("rt90", 0, 0, hog(), 0, SchedAttr.fifo(90), List.of(0)))
                .process(new MachineSpec.Task("fair", 1, 0, hog(), 0, SchedAttr.DEFAULT, List.of(1)))
                .process(new MachineSpec.Task("rt10", 0, 0,
                        Program.builder().loop(-1, l -> l.compute(us(100)).nanosleep(ms(1))).build(), 0, SchedAttr.fifo(10), List.of(0, 1)))
                .build();
        RunResult r = Runs.run(testKit, spec, ms(10));
        List<TraceRecord> runs = Runs.events(r, "sched_switch").stream().filter(t -> t.args().contains("next_comm=rt10 ")).toList();
        assertTrue(runs.size() >= 5, "rt10 ran every millisecond: " + runs.size());
        assertTrue(runs.stream().allMatch(t -> t.cpu() == 1), "on CPU 1, preempting the fair task: " + runs);
        assertEquals(0, Runs.events(r, "sched_switch").stream().filter(t -> t.cpu() == 0 && t.args().contains("prev_comm=rt90")).count(),
                "rt90 was never disturbed");
    }
}
