package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.sched.SchedAttr;
import dev.kctx.actors.trace.TraceRecord;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acceptance case: a process that sleeps 1 ms at a time among CPU-bound processes on
 * one CPU, its wake-up latency measured as cyclictest would (sched_wakeup to the sched_switch that
 * runs it). On Linux 6.x (EEVDF) the median stays under 0.1 ms whatever the number of hogs.
 */
class SchedulerLatencyTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static MachineSpec sleeperAmongHogs(int hogs, SchedAttr sleeperAttr) {
        MachineSpec.Builder b = MachineSpec.builder().name("sleeper-" + hogs).cpus(1);
        Program sleeper = Program.builder().loop(-1, l -> l.nanosleep(ms(1)).compute(us(20))).build();
        b.process(new MachineSpec.Task("sleeper", 0, 0, sleeper, 0, sleeperAttr, List.of()));
        for (int i = 0; i < hogs; i++) {
            b.process("hog" + i, 0, 0, Program.builder().compute(ms(100)).forever().build());
        }
        return b.build();
    }

    /** Wake-up latencies of {@code comm}: each sched_wakeup to the sched_switch that puts it on the CPU. */
    static Histogram latencies(RunResult r, String comm) {
        Histogram h = new Histogram(3);
        long wokenAt = -1;
        for (TraceRecord t : r.trace()) {
            if (t.event().equals("sched_wakeup") && t.args().startsWith("comm=" + comm + " ")) {
                wokenAt = t.timeNs();
            } else if (wokenAt >= 0 && t.event().equals("sched_switch") && t.args().contains("next_comm=" + comm + " ")) {
                h.recordValue(t.timeNs() - wokenAt);
                wokenAt = -1;
            }
        }
        return h;
    }

    @ParameterizedTest(name = "{0} CPU-bound processes")
    @ValueSource(ints = {1, 16})
    @DisplayName("a fair sleeper among CPU-bound processes waits a median of at most 0.5 ms, a 99th percentile of at most 8 ms")
    void fairSleeper(int hogs) {
        RunResult r = Runs.run(testKit, sleeperAmongHogs(hogs, SchedAttr.DEFAULT), ms(2000));
        Histogram h = latencies(r, "sleeper");
        assertTrue(h.getTotalCount() > 500, "the sleeper woke often: " + h.getTotalCount() + " median " + h.getValueAtPercentile(50) + " p99 " + h.getValueAtPercentile(99) + " max " + h.getMaxValue());
        long median = h.getValueAtPercentile(50);
        long p99 = h.getValueAtPercentile(99);
        assertTrue(median <= us(500), "median " + median + "ns with " + hogs + " hogs");
        assertTrue(p99 <= ms(8), "p99 " + p99 + "ns with " + hogs + " hogs");
    }

    @ParameterizedTest(name = "{0} CPU-bound processes")
    @ValueSource(ints = {1, 16})
    @DisplayName("a SCHED_FIFO sleeper preempts the fair hogs at once: every wake-up runs within 0.05 ms")
    void fifoSleeper(int hogs) {
        RunResult r = Runs.run(testKit, sleeperAmongHogs(hogs, SchedAttr.fifo(50)), ms(500));
        Histogram h = latencies(r, "sleeper");
        assertTrue(h.getTotalCount() > 300, "the sleeper woke often: " + h.getTotalCount());
        assertTrue(h.getMaxValue() <= us(50), "max " + h.getMaxValue() + "ns");
    }
}
