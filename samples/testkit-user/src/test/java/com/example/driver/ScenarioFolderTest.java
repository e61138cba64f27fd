package com.example.driver;

import akka.actor.testkit.typed.javadsl.TestProbe;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.testkit.Crossing;
import dev.kctx.testkit.KctxScenarios;
import dev.kctx.testkit.RunningMachine;
import org.junit.jupiter.api.DisplayName;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every scenario in src/test/scenarios with an expect: block is one test, named after its file; the
 * extension checks the block after the method body. The body adds a look at the message path.
 */
class ScenarioFolderTest {

    @KctxScenarios(value = "src/test/scenarios", engine = "message")
    @DisplayName("every scenario file meets its expect: block, and its soft IRQ runs are orders from CPU 0 at SOFTIRQ level")
    void meetsItsExpectations(RunningMachine m) {
        // every file here has a NIC interrupt on CPU 0 that raises NET_RX
        TestProbe<Crossing> cpuToSoftirq = m.probeBetween("cpu-0", "softirq-0");
        m.runToEnd();
        Crossing run = cpuToSoftirq.expectMessageClass(Crossing.class);
        assertEquals("run", run.kind(), "the CPU orders the soft IRQ to run: " + run);
        assertEquals(ContextLevel.SOFTIRQ, run.level(), "at soft IRQ level: " + run);
        assertEquals("fresh NET_RX", run.detail(), "a new NET_RX run: " + run);
        Crossing ran = cpuToSoftirq.expectMessageClass(Crossing.class);
        assertEquals("ran", ran.kind(), "and the soft IRQ answers at the same instant: " + ran);
        assertEquals(run.timeNs(), ran.timeNs(), "at the same instant: " + ran);
    }
}
