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

    /**
     * Leave the CPU for {@code ns} (a task sleeping on a timer), then go on; {@code again}: run this
     * operation again when woken, early or not (msleep_interruptible asks how much time was left).
     * {@code state} is S or D.
     */
    record Sleep(long ns, char state, boolean again) implements Outcome {
        public Sleep(long ns, char state) {
            this(ns, state, false);
        }
    }

    /**
     * Wait until woken (wait queue, mutex, ksoftirqd), then run this operation again. {@code state}
     * is S, D, or K: TASK_KILLABLE, shown as D, which only a fatal signal wakes besides the waker.
     */
    record Block(String on, char state) implements Outcome {
    }

    /**
     * The running system call fails now: skip the rest of its body and leave the kernel with
     * {@code ret} (a negative errno) instead of the value the exit would give. Only an operation in a
     * user process's system call may ask this; anywhere else it is a model error.
     */
    record EndSyscall(long ret) implements Outcome {
    }

    /** schedule(): let another runnable task have the CPU, then go on. */
    enum Yield implements Outcome { INSTANCE }

    /**
     * sched_yield(): the task goes behind its peers first (an RT task to the tail of its list, a
     * fair one a slice later: yield_task_rt, yield_task_fair), then schedule().
     */
    enum SchedYield implements Outcome { INSTANCE }

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
