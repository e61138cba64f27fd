package dev.kctx.actors;

import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.dispatch.Envelope;
import akka.dispatch.MailboxType;
import akka.dispatch.MessageQueue;
import akka.dispatch.ProducesMessageQueue;
import akka.dispatch.UnboundedMessageQueueSemantics;
import com.typesafe.config.Config;
import scala.Option;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The mailbox of every context entity and CPU: messages of a higher context level are processed
 * first, and messages of one level in the order they came. Control messages without a level
 * (round ends, results) come after all levelled ones.
 *
 * <p>It gives what Akka's {@code UnboundedStablePriorityMailbox} gives, at close to the cost of the
 * default mailbox: senders append to one lock-free FIFO queue (as the default mailbox does); the
 * actor, the only party that takes messages, moves what has come into one FIFO per level and
 * takes from the highest non-empty level. A dequeue therefore answers the highest-level message
 * of all that arrived before it, the first of its level, as a stable priority queue would,
 * without a lock, a heap or a sequence-numbered wrapper per message.
 */
public final class LevelPriorityMailbox implements MailboxType, ProducesMessageQueue<LevelPriorityMailbox.LevelQueue> {
    /** Priority of messages without a level: after USER. */
    public static final int CONTROL_PRIORITY = 4;

    public LevelPriorityMailbox(ActorSystem.Settings settings, Config config) {
        // no settings: the order is fixed by the context levels
    }

    public static int priorityOf(Object message) {
        return message instanceof Leveled l ? l.level().mailboxPriority() : CONTROL_PRIORITY;
    }

    @Override
    public MessageQueue create(Option<ActorRef> owner, Option<ActorSystem> system) {
        return new LevelQueue();
    }

    /** One actor's queue: many senders, one receiver (the actor, whichever thread runs it). */
    public static final class LevelQueue implements MessageQueue, UnboundedMessageQueueSemantics {
        private final ConcurrentLinkedQueue<Envelope> incoming = new ConcurrentLinkedQueue<>();
        /**
         * Messages taken in, receiver only. While they came in level order (the usual case: the
         * machine sends a round in calendar order) they wait in {@code run} and leave from its head;
         * the first one that would overtake goes with all others into one FIFO per level.
         */
        private ArrayDeque<Envelope> run;
        private int runLast;
        private ArrayDeque<?>[] levels;
        private boolean split;
        /**
         * How many messages wait taken in: read and written by the receiver, published with
         * release semantics (no fence per message) for {@link #hasMessages()} elsewhere.
         */
        private int sorted;
        private static final VarHandle SORTED;

        static {
            try {
                SORTED = MethodHandles.lookup().findVarHandle(LevelQueue.class, "sorted", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @Override
        public void enqueue(ActorRef receiver, Envelope handle) {
            incoming.add(handle);
        }

        @Override
        public Envelope dequeue() {
            int n = sorted;
            if (n == 0) {
                // Nothing taken in yet: a lone message, or a HARDIRQ one (nothing outranks it), goes out at once.
                Envelope first = incoming.poll();
                if (first == null) {
                    return null;
                }
                int p = priorityOf(first.message());
                if (p == 0 || incoming.isEmpty()) {
                    return first;
                }
                takeIn(first, p);
                n = 1;
            }
            for (Envelope e = incoming.poll(); e != null; e = incoming.poll()) {
                takeIn(e, priorityOf(e.message()));
                n++;
            }
            SORTED.setRelease(this, n - 1);
            return split ? fromLevels() : run.pollFirst();
        }

        private void takeIn(Envelope e, int p) {
            if (split) {
                level(p).addLast(e);
                return;
            }
            if (run == null) {
                run = new ArrayDeque<>();
            }
            if (run.isEmpty() || p >= runLast) {
                run.addLast(e);
                runLast = p;
                return;
            }
            // e overtakes: from now on sort by level until all is out.
            split = true;
            for (Envelope r = run.pollFirst(); r != null; r = run.pollFirst()) {
                level(priorityOf(r.message())).addLast(r);
            }
            level(p).addLast(e);
        }

        private Envelope fromLevels() {
            for (ArrayDeque<?> level : levels) {
                if (level != null && !level.isEmpty()) {
                    Envelope e = (Envelope) level.pollFirst();
                    if ((int) SORTED.getAcquire(this) == 0) {
                        split = false;
                    }
                    return e;
                }
            }
            throw new IllegalStateException("mailbox count without a message");
        }

        @SuppressWarnings("unchecked")
        private ArrayDeque<Envelope> level(int priority) {
            if (levels == null) {
                levels = new ArrayDeque<?>[CONTROL_PRIORITY + 1];
            }
            ArrayDeque<?> l = levels[priority];
            if (l == null) {
                l = new ArrayDeque<Envelope>();
                levels[priority] = l;
            }
            return (ArrayDeque<Envelope>) l;
        }

        @Override
        public int numberOfMessages() {
            return (int) SORTED.getAcquire(this) + incoming.size();
        }

        @Override
        public boolean hasMessages() {
            return (int) SORTED.getAcquire(this) > 0 || !incoming.isEmpty();
        }

        @Override
        public void cleanUp(ActorRef owner, MessageQueue deadLetters) {
            for (Envelope e = dequeue(); e != null; e = dequeue()) {
                deadLetters.enqueue(owner, e);
            }
        }
    }
}
