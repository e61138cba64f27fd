package dev.kctx.actors.program;

import java.util.List;

/** What an operation asks of the CPU after it ran at the current instant. */
public sealed interface Outcome {

    /** Done at this instant; go on with the next operation. */
    enum Next implements Outcome { INSTANCE }

    /** Done; hand control back to the CPU so it can take pending interrupts or preempt. */
    enum Checkpoint implements Outcome { INSTANCE }

    /** Occupy the CPU for {@code ns} of virtual time at the context's level, then go on. */
    record Busy(long ns) implements Outcome {
        public Busy {
            if (ns < 0) {
                throw new IllegalArgumentException("negative cost " + ns);
            }
        }
    }

    /** The lock is taken elsewhere: burn CPU time until it is released, then run this operation again. */
    record Spin(String lock) implements Outcome {
    }

    /** Leave the CPU for {@code ns} (a task sleeping on a timer), then go on. {@code state} is S or D. */
    record Sleep(long ns, char state) implements Outcome {
    }

    /** Wait until woken (wait queue, mutex, ksoftirqd), then run this operation again. {@code state} is S or D. */
    record Block(String on, char state) implements Outcome {
    }

    /** schedule(): let another runnable task have the CPU, then go on. */
    enum Yield implements Outcome { INSTANCE }

    /** Run these operations next, in this context (what a Java handler queued). */
    record Inline(List<Op> ops) implements Outcome {
        public Inline {
            ops = List.copyOf(ops);
        }
    }

    /** Run the pending soft IRQs now on top of this context (local_bh_enable, ksoftirqd), then go on. */
    enum RunSoftirqs implements Outcome { INSTANCE }

    /** The program (handler, thread, process) has finished. */
    enum Exit implements Outcome { INSTANCE }

    /** The simulation cannot go on: a model error with a message for the user. */
    record Failed(String message) implements Outcome {
    }
}
