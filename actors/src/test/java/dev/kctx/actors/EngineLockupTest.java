package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Program;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.s;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineLockupTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static MachineSpec aaOnOneCpu(long irqAt) {
        return MachineSpec.builder().cpus(1).watchdogThresh(ms(1))
                .kthread("worker", 0, 0, Program.builder().spinLock("L").compute(us(100)).spinUnlock("L").msleep(s(1)).build())
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(irqAt)),
                        Program.builder().spinLock("L").compute(us(1)).spinUnlock("L").build())
                .build();
    }

    @Test
    @DisplayName("an IRQ spinning on a lock its own CPU's interrupted thread holds is a hard LOCKUP, and the run stops there")
    void aaDeadlockOnOneCpu() {
        RunResult r = Runs.run(testKit, aaOnOneCpu(us(50)), s(5));
        List<Report> lockups = r.reportsOf(ReportKind.LOCKUP);
        assertEquals(1, lockups.size(), "one lockup: " + r.reports());
        assertEquals("watchdog: Watchdog detected hard LOCKUP on cpu 0", lockups.get(0).title(), "IRQs are off while the handler spins");
        assertEquals(us(50) + ms(1), lockups.get(0).where().timeNs(), "detected one watchdog threshold after the spinning began");
        assertTrue(lockups.get(0).details().get(1).contains("kthread worker"), "the report names the holder: " + lockups.get(0).details());
        assertTrue(r.stopped().isPresent(), "the run stopped at the lockup");
        assertEquals(us(50) + ms(1), r.endNs(), "and ended there instead of spinning until 5s");
    }

    @Test
    @DisplayName("the same IRQ arriving after the critical section is no lockup")
    void aaCleanTwin() {
        RunResult r = Runs.run(testKit, aaOnOneCpu(us(150)), ms(5));
        assertTrue(r.reportsOf(ReportKind.LOCKUP).isEmpty(), "no lockup");
        assertTrue(r.stopped().isEmpty(), "the run went to its end");
    }

    @Test
    @DisplayName("an ABBA embrace of two CPUs with IRQs on is a soft lockup after twice the threshold")
    void abbaAcrossCpus() {
        MachineSpec spec = MachineSpec.builder().cpus(2).watchdogThresh(ms(1))
                .kthread("a", 0, 0, Program.builder().spinLock("A").compute(us(10)).spinLock("B").spinUnlock("B").spinUnlock("A").build())
                .kthread("b", 1, 0, Program.builder().spinLock("B").compute(us(10)).spinLock("A").spinUnlock("A").spinUnlock("B").build())
                .build();
        RunResult r = Runs.run(testKit, spec, s(1));
        List<Report> lockups = r.reportsOf(ReportKind.LOCKUP);
        assertEquals(2, lockups.size(), "both CPUs are stuck and detected at the same instant: " + r.reports());
        assertEquals("watchdog: BUG: soft lockup - CPU#0 stuck for 0s! [a:12]", lockups.get(0).title(), "soft lockup title");
        assertEquals(us(10) + ms(2), r.endNs(), "the run stopped at the detection, 2 x threshold after the spinning began");
    }
}
