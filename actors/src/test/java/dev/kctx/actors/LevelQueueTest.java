package dev.kctx.actors;

import akka.actor.ActorRef;
import akka.dispatch.Envelope;
import akka.dispatch.MessageQueue;
import dev.kctx.contexts.ContextLevel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("The level-priority message queue answers as a stable priority queue would")
class LevelQueueTest {

    /** A levelled message; {@code seq} is its arrival number. */
    record Msg(ContextLevel level, int seq) implements Leveled {
    }

    /** A control message (no level): after every levelled one. */
    record Control(int seq) {
    }

    private static MessageQueue queue() {
        return new LevelPriorityMailbox(null, null).create(scala.Option.empty(), scala.Option.empty());
    }

    private static int seqOf(Object m) {
        return m instanceof Msg msg ? msg.seq() : ((Control) m).seq();
    }

    @Test
    @DisplayName("random sends and takes, in and out of level order, match a model of a stable priority queue")
    void matchesModel() {
        Random random = new Random(3);
        MessageQueue q = queue();
        List<Object> model = new ArrayList<>();
        Comparator<Object> order = Comparator.comparingInt(LevelPriorityMailbox::priorityOf)
                .thenComparingInt(LevelQueueTest::seqOf);
        int seq = 0;
        int taken = 0;
        for (int step = 0; step < 50_000; step++) {
            // Bursts of sends, mostly in level order as the machine sends a round, sometimes not; phases
            // that fill the queue (to a thousand or two) alternate with phases that drain it (to empty).
            boolean filling = (step / 2000) % 2 == 0;
            if (random.nextInt(20) < (filling ? 8 : 1)) {
                int burst = 1 + random.nextInt(6);
                for (int i = 0; i < burst; i++) {
                    int r = random.nextInt(ContextLevel.values().length + 1);
                    Object m = r == ContextLevel.values().length ? new Control(seq++) : new Msg(ContextLevel.values()[r], seq++);
                    model.add(m);
                    q.enqueue(ActorRef.noSender(), Envelope.apply(m, ActorRef.noSender()));
                }
            } else {
                Object expected = model.stream().min(order).orElse(null);
                Envelope e = q.dequeue();
                if (expected == null) {
                    assertNull(e, "an empty queue gives nothing");
                } else {
                    assertEquals(expected, e.message(), "the highest level first, the earliest of its level");
                    model.remove(expected);
                    taken++;
                }
                assertEquals(model.size(), q.numberOfMessages(), "the count follows");
                assertEquals(!model.isEmpty(), q.hasMessages(), "hasMessages follows");
            }
        }
        assertTrue(taken > 10_000, "the walk took many messages: " + taken);
    }

    @Test
    @DisplayName("a HARDIRQ message sent after a round's lower levels overtakes them; control comes last")
    void overtakes() {
        MessageQueue q = queue();
        Object[] sent = {new Msg(ContextLevel.USER, 0), new Control(1), new Msg(ContextLevel.KERNEL, 2),
                new Msg(ContextLevel.HARDIRQ, 3), new Msg(ContextLevel.KERNEL, 4)};
        for (Object m : sent) {
            q.enqueue(ActorRef.noSender(), Envelope.apply(m, ActorRef.noSender()));
        }
        List<Integer> out = new ArrayList<>();
        for (Envelope e = q.dequeue(); e != null; e = q.dequeue()) {
            out.add(seqOf(e.message()));
        }
        assertEquals(List.of(3, 2, 4, 0, 1), out, "HARDIRQ, then KERNEL in arrival order, then USER, then control");
        assertFalse(q.hasMessages(), "all taken");
    }

    @Test
    @DisplayName("four senders on their own threads and a receiver taking meanwhile: nothing lost, each sender's level order kept")
    void concurrentSenders() throws Exception {
        MessageQueue q = queue();
        int senders = 4;
        int each = 100_000;
        ContextLevel[] levels = ContextLevel.values();
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < each; i++) {
                    // seq: sender in the low bits, the sender's own count above
                    Msg m = new Msg(levels[(i * 7 + sender) % levels.length], i * senders + sender);
                    q.enqueue(ActorRef.noSender(), Envelope.apply(m, ActorRef.noSender()));
                }
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        int[][] lastSeen = new int[senders][levels.length];
        for (int[] row : lastSeen) {
            java.util.Arrays.fill(row, -1);
        }
        int received = 0;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
        while (received < senders * each) {
            Envelope e = q.dequeue();
            if (e == null) {
                assertTrue(System.nanoTime() < deadline, "messages lost: " + received + " of " + senders * each + " arrived");
                Thread.onSpinWait();
                continue;
            }
            Msg m = (Msg) e.message();
            int sender = m.seq() % senders;
            int count = m.seq() / senders;
            int level = m.level().ordinal();
            assertTrue(count > lastSeen[sender][level], "sender " + sender + "'s " + m.level() + " messages in the order sent");
            lastSeen[sender][level] = count;
            received++;
        }
        for (Thread t : threads) {
            t.join();
        }
        assertNull(q.dequeue(), "nothing more than was sent");
        assertFalse(q.hasMessages(), "all taken");
        assertEquals(0, q.numberOfMessages(), "the count is back to zero");
    }
}
