package com.example.driver;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.contexts.ReportKind;
import dev.kctx.testkit.Engine;
import dev.kctx.testkit.KctxMachine;
import dev.kctx.testkit.KernelAssertions;
import dev.kctx.testkit.RunningMachine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import dev.kctx.testkit.ScenarioTests;

import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * The receive path never sleeps in its soft IRQ. With {@code -Dkctx.sample.failing=true} this test
 * runs the buggy driver (GFP_KERNEL in NET_RX) and fails on purpose, to show what a failure prints:
 * the report, a trace excerpt and the command that replays it.
 */
class RxPathTest {
    private static final ActorTestKit KIT = Engine.fromSystemProperty().testKit();
    private static final boolean FAILING = Boolean.getBoolean("kctx.sample.failing");

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    @Test
    @DisplayName("this handler never sleeps: no sleep-in-atomic report over two interrupts")
    void handlerNeverSleeps() {
        String file = FAILING ? "src/test/resources/rx-alloc-buggy.yaml" : "src/test/resources/rx-alloc.yaml";
        try (RunningMachine m = KctxMachine.scenario(Path.of(file)).start(KIT)) {
            // two interrupts, at 100us and 1.1ms
            m.advance(Duration.ofMillis(2));
            KernelAssertions.expectOrder(m, "irq_handler_entry", "softirq_entry", "softirq_exit",
                    "irq_handler_entry", "softirq_entry", "softirq_exit");
            KernelAssertions.expectNoReport(m, ReportKind.SLEEP_IN_ATOMIC);
        }
    }

    @TestFactory
    @DisplayName("every scenario in src/test/scenarios meets its expect: block")
    Stream<DynamicTest> scenarios() {
        return ScenarioTests.in(Path.of("src/test/scenarios"), KIT);
    }
}
