package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import dev.kctx.actors.program.Outcome;
import dev.kctx.contexts.ContextLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MailboxPriorityTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** A levelled test message. */
    record Msg(ContextLevel level, int seq) implements Leveled {
    }

    /** A message that holds the actor until the batch is enqueued. Only this test blocks a thread, on purpose. */
    record Hold(CountDownLatch entered, CountDownLatch release) {
    }

    static Behavior<Object> recorder(ActorRef<List<String>> report, int expected) {
        List<String> seen = new ArrayList<>();
        return Behaviors.receive(Object.class)
                .onMessage(Hold.class, h -> {
                    h.entered().countDown();
                    h.release().await(10, TimeUnit.SECONDS);
                    return Behaviors.same();
                })
                .onMessage(Msg.class, m -> {
                    seen.add(m.level() + "#" + m.seq());
                    if (seen.size() == expected) {
                        report.tell(List.copyOf(seen));
                    }
                    return Behaviors.same();
                })
                .build();
    }

    @Test
    @DisplayName("messages of all four levels enqueued at one instant are processed highest level first, stably within a level")
    void priorityMailboxOrdersByLevel() throws InterruptedException {
        TestProbe<List<String>> probe = testKit.createTestProbe();
        ContextLevel[] order = {ContextLevel.USER, ContextLevel.KERNEL, ContextLevel.HARDIRQ, ContextLevel.SOFTIRQ,
                ContextLevel.USER, ContextLevel.HARDIRQ, ContextLevel.KERNEL, ContextLevel.SOFTIRQ, ContextLevel.USER,
                ContextLevel.HARDIRQ};
        ActorRef<Object> actor = testKit.spawn(recorder(probe.getRef(), order.length), "mailbox-under-test",
                Machine.CONTEXT_MAILBOX.withDispatcherFromConfig("akka.actor.default-blocking-io-dispatcher"));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        actor.tell(new Hold(entered, release));
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the actor started processing the hold message");
        for (int i = 0; i < order.length; i++) {
            actor.tell(new Msg(order[i], i));
        }
        release.countDown();
        List<String> seen = probe.receiveMessage(Duration.ofSeconds(10));
        assertEquals(List.of("HARDIRQ#2", "HARDIRQ#5", "HARDIRQ#9", "SOFTIRQ#3", "SOFTIRQ#7", "KERNEL#1", "KERNEL#6",
                "USER#0", "USER#4", "USER#8"), seen, "processing order is by level, then by arrival");
    }

    @Test
    @DisplayName("the CPU's own command types carry the level of their context")
    void cpuEventsAreLevelled() {
        assertEquals(0, LevelPriorityMailbox.priorityOf(new Cpu.IrqArrive(0, null)), "an IRQ arrival is HARDIRQ");
        assertEquals(3, LevelPriorityMailbox.priorityOf(new Cpu.StepDone(0, 1, ContextLevel.USER)), "a user step is USER");
        assertEquals(3, LevelPriorityMailbox.priorityOf(new Cpu.LastEvent(new Cpu.StepDone(0, 1, ContextLevel.USER))),
                "the last event of a round, which carries the round's end, keeps its event's level");
        assertEquals(LevelPriorityMailbox.CONTROL_PRIORITY, LevelPriorityMailbox.priorityOf(new Cpu.Finish(0)),
                "the run's end comes after every levelled message");
    }

    @Test
    @DisplayName("a burst and its answer go at their context's level, as every levelled message does")
    void burstsAndAnswersAreLevelled() {
        for (ContextLevel level : ContextLevel.values()) {
            int expected = level.mailboxPriority();
            assertEquals(expected, LevelPriorityMailbox.priorityOf(
                    new ContextProtocol.Run(1, level, true, null, null, null, List.of())), "Run at " + level);
            assertEquals(expected, LevelPriorityMailbox.priorityOf(new Cpu.Ran(1, level, Outcome.Next.INSTANCE)),
                    "Ran at " + level);
            assertEquals(expected, LevelPriorityMailbox.priorityOf(
                    new Cpu.LastEvent(new Cpu.StepDone(0, 1, level))), "LastEvent at " + level);
            // what the class tests answer is what the interface says
            Leveled viaInterface = new Cpu.Ran(1, level, Outcome.Next.INSTANCE);
            assertEquals(viaInterface.level().mailboxPriority(), LevelPriorityMailbox.priorityOf(viaInterface));
        }
    }
}
