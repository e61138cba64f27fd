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

/**
 * The mailbox of every context entity and CPU: messages of a higher context level are processed
 * first, and messages of one level in the order they came. Control messages without a level
 * (round ends, results) come after all levelled ones. The machine has it too ({@link Machine#props}):
 * none of its commands has a level, so there it is a plain FIFO, cheaper than Akka's default.
 *
 * <p>It gives what Akka's {@code UnboundedStablePriorityMailbox} gives, at the cost of the default
 * mailbox: senders append to one lock-free FIFO list; the actor, the only party that takes
 * messages, takes its head while what has arrived is in level order, and otherwise sorts what has
 * arrived into one FIFO per level and takes from the highest non-empty level. A dequeue therefore
 * answers the highest-level message of all that arrived before it, the first of its level, as a
 * stable priority queue would, without a lock, a heap or a sequence-numbered wrapper per message.
 */
public final class LevelPriorityMailbox implements MailboxType, ProducesMessageQueue<LevelPriorityMailbox.LevelQueue> {
    /** Priority of messages without a level: after USER. */
    public static final int CONTROL_PRIORITY = 4;

    public LevelPriorityMailbox(ActorSystem.Settings settings, Config config) {
        // no settings: the order is fixed by the context levels
    }

    public static int priorityOf(Object message) {
        // The three messages of nearly every hop of the message path first, by their final classes:
        // a class test is one compare, where the test against the interface scans the class's
        // interfaces and level() is then an interface call (docs/performance-notes.md, section 13).
        if (message instanceof Cpu.Ran r) {
            return r.level().mailboxPriority();
        }
        if (message instanceof ContextProtocol.Run r) {
            return r.level().mailboxPriority();
        }
        if (message instanceof Cpu.LastEvent l) {
            return l.event().level().mailboxPriority();
        }
        return message instanceof Leveled l ? l.level().mailboxPriority() : CONTROL_PRIORITY;
    }

    @Override
    public MessageQueue create(Option<ActorRef> owner, Option<ActorSystem> system) {
        return new LevelQueue();
    }

    /**
     * One actor's queue: many senders, one receiver (the actor, whichever thread runs it).
     *
     * <p>Senders append a node to a linked list with one atomic swap of its tail, as an MPSC queue
     * does (cheaper than the default mailbox's compare-and-set loop); the node carries the
     * message's priority, worked out by the sender. The receiver alone walks the list: while what
     * has arrived is in level order (the usual case: the machine sends a round in calendar order)
     * it takes the head, checking each arrival once; the first arrival that would overtake moves
     * everything arrived into one FIFO per level, and the receiver takes from the highest non-empty
     * level until all is out again.
     */
    public static final class LevelQueue implements MessageQueue, UnboundedMessageQueueSemantics {
        private static final class Node {
            Envelope envelope;
            final int priority;
            Node next;

            Node(Envelope envelope, int priority) {
                this.envelope = envelope;
                this.priority = priority;
            }
        }

        private static final VarHandle TAIL;
        private static final VarHandle HEAD;
        private static final VarHandle NEXT;
        private static final VarHandle HELD;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                TAIL = l.findVarHandle(LevelQueue.class, "tail", Node.class);
                HEAD = l.findVarHandle(LevelQueue.class, "head", Node.class);
                HELD = l.findVarHandle(LevelQueue.class, "held", int.class);
                NEXT = l.findVarHandle(Node.class, "next", Node.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** The last node appended; swapped by senders. */
        @SuppressWarnings("unused")
        private volatile Node tail;
        /** Receiver: the node before the first message not taken (a taken one, or the first stub). */
        private Node head;
        /** Receiver: the nodes after {@code head} up to this one are in level order. */
        private Node scanned;
        /** The priority of {@code scanned}, or the highest when it is {@code head} (nothing to keep after). */
        private int scannedPriority;
        /** Receiver: true while an arrival has overtaken and messages leave from the level FIFOs. */
        private boolean split;
        /** Receiver: one FIFO per level, made when first needed. */
        private ArrayDeque<?>[] levels;
        /** How many messages wait in {@code levels}: written by the receiver, read elsewhere by {@link #hasMessages}. */
        private int held;

        public LevelQueue() {
            Node stub = new Node(null, 0);
            head = stub;
            scanned = stub;
            tail = stub;
        }

        @Override
        public void enqueue(ActorRef receiver, Envelope handle) {
            Node n = new Node(handle, priorityOf(handle.message()));
            Node prev = (Node) TAIL.getAndSet(this, n);
            // A volatile store, not a release: the sender next reads the mailbox's status (Akka's
            // setAsScheduled), and a release store may still sit in the store buffer when that load
            // runs, while the receiver sets itself idle and finds no message: a lost wake-up (Dekker).
            NEXT.setVolatile(prev, n);
        }

        @Override
        public Envelope dequeue() {
            if (split) {
                return fromLevels();
            }
            Node s = scanned;
            int p = scannedPriority;
            for (Node n = (Node) NEXT.getAcquire(s); n != null; n = (Node) NEXT.getAcquire(n)) {
                if (n.priority < p) {
                    // n overtakes: from now on sort by level until all is out.
                    return fromLevels();
                }
                s = n;
                p = n.priority;
            }
            Node first = (Node) NEXT.getAcquire(head);
            if (first == null) {
                return null;
            }
            HEAD.setRelease(this, first);
            if (s == first) {
                scanned = first;
                scannedPriority = 0;
            } else {
                scanned = s;
                scannedPriority = p;
            }
            Envelope e = first.envelope;
            first.envelope = null;
            return e;
        }

        /** Moves what has arrived into the level FIFOs and answers the first of the highest level. */
        private Envelope fromLevels() {
            if (levels == null) {
                levels = new ArrayDeque<?>[CONTROL_PRIORITY + 1];
                for (int i = 0; i < levels.length; i++) {
                    levels[i] = new ArrayDeque<Envelope>();
                }
            }
            split = true;
            int count = held;
            Node h = head;
            for (Node n = (Node) NEXT.getAcquire(h); n != null; n = (Node) NEXT.getAcquire(n)) {
                level(n.priority).addLast(n.envelope);
                n.envelope = null;
                count++;
                h = n;
            }
            if (h != head) {
                // the count before the new head: hasMessages reads them the other way round
                HELD.setRelease(this, count);
                HEAD.setRelease(this, h);
                scanned = h;
                scannedPriority = 0;
            }
            for (ArrayDeque<?> level : levels) {
                if (!level.isEmpty()) {
                    Envelope e = (Envelope) level.pollFirst();
                    HELD.setRelease(this, count - 1);
                    split = count > 1;
                    return e;
                }
            }
            split = false;
            return null;
        }

        @SuppressWarnings("unchecked")
        private ArrayDeque<Envelope> level(int priority) {
            return (ArrayDeque<Envelope>) levels[priority];
        }

        @Override
        public int numberOfMessages() {
            int n = (int) HELD.getAcquire(this);
            for (Node x = (Node) NEXT.getAcquire((Node) HEAD.getAcquire(this)); x != null; x = (Node) NEXT.getAcquire(x)) {
                n++;
            }
            return n;
        }

        @Override
        public boolean hasMessages() {
            // head first: a receiver that moved nodes into the levels published their count before the new head.
            Node h = (Node) HEAD.getAcquire(this);
            return NEXT.getAcquire(h) != null || (int) HELD.getAcquire(this) > 0;
        }

        @Override
        public void cleanUp(ActorRef owner, MessageQueue deadLetters) {
            for (Envelope e = dequeue(); e != null; e = dequeue()) {
                deadLetters.enqueue(owner, e);
            }
        }
    }
}
