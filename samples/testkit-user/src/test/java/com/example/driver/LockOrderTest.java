package com.example.driver;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.KernelObjects.LockType;
import dev.kctx.actors.program.Program;
import dev.kctx.contexts.ReportKind;
import dev.kctx.testkit.Engine;
import dev.kctx.testkit.KctxMachine;
import dev.kctx.testkit.KernelAssertions;
import dev.kctx.testkit.RunningMachine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

/** Two workers take the driver's locks in the same order: lockdep finds no cycle, whatever the seed. */
class LockOrderTest {
    private static final ActorTestKit KIT = Engine.fromSystemProperty().testKit();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static Program worker() {
        return Program.builder()
                .spinLock("dev_lock").computeRandom(1_000, 20_000)
                .spinLock("queue_lock").compute(2_000)
                .spinUnlock("queue_lock").spinUnlock("dev_lock")
                .computeRandom(5_000, 50_000)
                .forever().build();
    }

    @Test
    @DisplayName("this lock order is safe for seeds 1..20")
    void lockOrderSafe() {
        KctxMachine machine = KctxMachine.of(MachineSpec.builder()
                .name("two-workers").cpus(2)
                .lock("dev_lock", LockType.SPINLOCK).lock("queue_lock", LockType.SPINLOCK)
                .kthread("rx_worker", 0, 0, worker())
                .kthread("tx_worker", 1, 0, worker())
                .build(), Duration.ofMillis(2));
        for (long seed = 1; seed <= 20; seed++) {
            try (RunningMachine m = machine.seed(seed).start(KIT)) {
                m.runToEnd();
                KernelAssertions.expectNoReport(m, ReportKind.CIRCULAR_LOCKING);
                KernelAssertions.expectNoReport(m);
            }
        }
    }
}
