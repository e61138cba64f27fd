package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineFaultsTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static MachineSpec nic(MachineSpec.Faults faults, long seed) {
        return MachineSpec.builder().cpus(1).seed(seed).faults(faults)
                .irq("nic", 11, List.of(0), new Arrivals.Every(us(100), 50, us(100)),
                        Program.builder().op(new Ops.Kmalloc(256, true, List.of(new Ops.Printk("rx: allocation failed, packet dropped"))))
                                .raiseSoftirq(SoftirqVector.NET_RX).build())
                .softirq(SoftirqVector.NET_RX, Program.builder().compute(us(5)).build())
                .build();
    }

    @Test
    @DisplayName("failing GFP_ATOMIC allocations run the driver's NULL path, are traced and counted, and repeat with the seed")
    void atomicAllocationFailures() {
        RunResult r = Runs.run(testKit, nic(new MachineSpec.Faults(0.3, 0, 0), 5), ms(10));
        long failed = r.counters().getOrDefault("faults.gfp_atomic_failed", 0L);
        assertTrue(failed > 5 && failed < 30, "about 30% of 50 allocations failed: " + failed);
        assertEquals(failed, r.dmesg().size(), "each failure took the NULL path once");
        assertEquals(failed, Runs.events(r, "kctx_fault").size(), "each failure is in the trace");
        RunResult again = Runs.run(testKit, nic(new MachineSpec.Faults(0.3, 0, 0), 5), ms(10));
        assertEquals(r.traceText(), again.traceText(), "the same seed fails the same allocations");
        RunResult none = Runs.run(testKit, nic(MachineSpec.Faults.NONE, 5), ms(10));
        assertEquals(0, none.counters().getOrDefault("faults.gfp_atomic_failed", 0L), "no faults without injection");
    }

    @Test
    @DisplayName("lost IRQs never reach the handler; spurious ones add arrivals; both are counted")
    void irqFaults() {
        RunResult lost = Runs.run(testKit, nic(new MachineSpec.Faults(0, 0.5, 0), 3), ms(10));
        long nLost = lost.counters().getOrDefault("faults.irq_lost", 0L);
        assertTrue(nLost > 10 && nLost < 40, "about half of 50 arrivals lost: " + nLost);
        assertEquals(50 - nLost, lost.cpuStats().get(0).irqsHandled(), "the others were handled");
        RunResult spurious = Runs.run(testKit, nic(new MachineSpec.Faults(0, 0, 2000), 3), ms(10));
        long nSpurious = spurious.counters().getOrDefault("faults.irq_spurious", 0L);
        assertTrue(nSpurious > 5, "about 20 spurious arrivals in 10ms: " + nSpurious);
        assertTrue(spurious.cpuStats().get(0).irqsHandled() + spurious.cpuStats().get(0).irqsMerged() == 50 + nSpurious,
                "every arrival, real or spurious, was handled or merged");
    }
}
