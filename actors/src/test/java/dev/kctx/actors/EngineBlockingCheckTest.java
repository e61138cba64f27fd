package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.JvmBlockingCheck;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.ReportKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineBlockingCheckTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static void sleep1ms() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    @DisplayName("a Java handler calling Thread.sleep in a soft IRQ yields blocking-call-in-atomic; the run goes on")
    void sleepInSoftirq() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .irq("nic", 11, List.of(0), new Arrivals.At(List.of(us(10), us(500))),
                        Program.builder().raiseSoftirq(SoftirqVector.NET_RX).build())
                .softirq(SoftirqVector.NET_RX, Program.builder().java("rx", k -> {
                    sleep1ms();
                    k.compute(us(2));
                }).compute(us(3)).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        assertTrue(JvmBlockingCheck.available(), "BlockHound is installed: " + JvmBlockingCheck.unavailableReason());
        List<Report> blocked = r.reportsOf(ReportKind.BLOCKING_CALL_IN_ATOMIC);
        assertEquals(2, blocked.size(), "one report per soft IRQ run: " + r.reports());
        assertTrue(blocked.get(0).title().endsWith("java.lang.Thread.sleep"), "the report names the call: " + blocked.get(0).title());
        assertEquals("softirq NET_RX", blocked.get(0).where().context(), "in the soft IRQ");
        assertEquals(us(6), r.cpuStats().get(0).timeAt(dev.kctx.contexts.ContextLevel.SOFTIRQ),
                "the handler was stopped at the call, the operations after it still ran (3us twice)");
    }

    @Test
    @DisplayName("Object.wait, LockSupport.park and a blocking queue poll are caught under a spin lock too")
    void otherBlockingCalls() {
        Object monitor = new Object();
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .kthread("worker", 0, 0, Program.builder().spinLock("L")
                        .java("wait", k -> {
                            synchronized (monitor) {
                                try {
                                    monitor.wait(1);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                        })
                        .java("park", k -> LockSupport.parkNanos(1000))
                        .java("queue", k -> {
                            try {
                                new LinkedBlockingQueue<Integer>().poll(1, TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        })
                        .spinUnlock("L").build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        assertEquals(3, r.reportsOf(ReportKind.BLOCKING_CALL_IN_ATOMIC).size(), "each blocking call is reported: " + r.reports());
    }

    @Test
    @DisplayName("the same Thread.sleep in a kernel thread with no lock held yields nothing")
    void sleepInKthreadIsFine() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .kthread("worker", 0, 0, Program.builder().java("nap", k -> sleep1ms()).compute(us(5)).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        assertEquals(List.of(), r.reports(), "process context may block its thread");
    }
}
