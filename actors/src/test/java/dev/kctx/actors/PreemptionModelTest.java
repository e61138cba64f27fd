package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.sched.SchedAttr;
import dev.kctx.actors.trace.TraceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The preemption models against a kernel thread that allocates with GFP_KERNEL (might_sleep) in a
 * loop of 1 ms steps from 1 us on, and an RT process woken at 2.5 ms: when does it get the CPU?
 */
@DisplayName("preemption models: none, voluntary, full")
class PreemptionModelTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @ParameterizedTest(name = "preempt {0}")
    @EnumSource(MachineSpec.Preempt.class)
    @DisplayName("the woken RT process runs at the wake-up (full), at the next might_sleep call (voluntary), or when the thread blocks (none)")
    void wakeLatencyByModel(MachineSpec.Preempt mode) {
        MachineSpec spec = MachineSpec.builder().cpus(1).preempt(mode)
                .kthread("worker", 0, us(1), Program.builder()
                        .loop(5, l -> l.kmalloc(64, false).compute(ms(1)))
                        .msleep(ms(10)).build())
                .process(new MachineSpec.Task("rt", 0, 0, Program.builder().nanosleep(us(2500)).compute(us(10)).build(), 0,
                        SchedAttr.fifo(50), List.of()))
                .build();
        RunResult r = Runs.run(testKit, spec, ms(20));
        TraceRecord wake = wakeOfRt(r);
        TraceRecord run = runAfter(r, wake);
        long expected = switch (mode) {
            case FULL -> us(2500);
            case VOLUNTARY -> ms(3) + us(1);   // the kmalloc(GFP_KERNEL) that starts the next 1 ms step
            case NONE -> ms(5) + us(1);        // msleep after the fifth step
        };
        assertEquals(us(2500), wake.timeNs());
        assertEquals(expected, run.timeNs(), "preempt " + mode + ": " + run);
    }

    @ParameterizedTest(name = "preempt {0}")
    @EnumSource(MachineSpec.Preempt.class)
    @DisplayName("a spin lock holds off the woken RT process; with preempt=full it runs at the spin_unlock, otherwise when the thread sleeps")
    void preemptionAtSpinUnlock(MachineSpec.Preempt mode) {
        MachineSpec spec = MachineSpec.builder().cpus(1).preempt(mode)
                .lock("L", dev.kctx.actors.program.KernelObjects.LockType.SPINLOCK)
                .kthread("worker", 0, us(1), Program.builder()
                        .spinLock("L").compute(ms(2)).spinUnlock("L").compute(ms(3)).msleep(ms(10)).build())
                .process(new MachineSpec.Task("rt", 0, 0, Program.builder().nanosleep(us(500)).compute(us(10)).build(), 0,
                        SchedAttr.fifo(50), List.of()))
                .build();
        RunResult r = Runs.run(testKit, spec, ms(20));
        TraceRecord wake = wakeOfRt(r);
        TraceRecord run = runAfter(r, wake);
        long expected = mode == MachineSpec.Preempt.FULL ? ms(2) + us(1) : ms(5) + us(1);
        assertEquals(expected, run.timeNs(), "preempt " + mode + ": " + run);
        assertEquals(0, r.reports().size(), "nothing to report: " + r.reports());
    }

    static TraceRecord wakeOfRt(RunResult r) {
        return Runs.first(r, t -> t.event().equals("sched_wakeup") && t.args().startsWith("comm=rt "), "rt woken");
    }

    /** The first switch to rt at or after its wake-up. */
    static TraceRecord runAfter(RunResult r, TraceRecord wake) {
        return Runs.first(r, t -> t.timeNs() >= wake.timeNs() && t.event().equals("sched_switch")
                && t.args().contains("next_comm=rt "), "rt runs");
    }
}
