package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.sched.SchedAttr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RT throttling on the running engine (sched_rt_runtime_us 950000 of sched_rt_period_us 1000000). */
@DisplayName("RT throttling on the engine")
class RtThrottlingEngineTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    @DisplayName("a SCHED_FIFO hog alone: the CPU idles the last 50 ms of each second, the kernel log says so once")
    void aloneTheCpuIdles() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .process(new MachineSpec.Task("rthog", 0, 0, Program.builder().compute(ms(100)).forever().build(), 0,
                        SchedAttr.fifo(50), List.of()))
                .build();
        RunResult r = Runs.run(testKit, spec, ms(2500));
        assertEquals(1, r.dmesg().stream().filter(l -> l.endsWith("sched: RT throttling activated")).count(), r.dmesg().toString());
        long idle = r.cpuStats().get(0).idleNs();
        assertTrue(idle >= ms(95) && idle <= ms(110), "about 2 x 50 ms idle: " + idle);
    }

    @Test
    @DisplayName("with a fair task beside it, the fair task gets the throttled 50 ms; with throttling off it gets nothing")
    void fairTaskGetsTheRest() {
        for (long runtime : new long[] {ms(950), -1}) {
            MachineSpec spec = MachineSpec.builder().cpus(1).rtRuntime(runtime)
                    .process(new MachineSpec.Task("rthog", 0, 0, Program.builder().compute(ms(100)).forever().build(), 0,
                            SchedAttr.fifo(50), List.of()))
                    .process("fair", 0, 0, Program.builder().compute(ms(100)).forever().build())
                    .build();
            RunResult r = Runs.run(testKit, spec, ms(2000));
            long fair = SchedulerPropertiesTest.runtimes(r).getOrDefault("fair", 0L);
            if (runtime < 0) {
                assertEquals(0, fair, "no throttling: the FIFO hog never lets go");
            } else {
                assertTrue(fair >= ms(95) && fair <= ms(110), "the fair task ran about 2 x 50 ms: " + fair);
            }
        }
    }
}
