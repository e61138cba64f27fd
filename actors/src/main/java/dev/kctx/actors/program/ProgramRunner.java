package dev.kctx.actors.program;

import java.util.List;

/**
 * Interprets a program for one context: runs operations until one takes virtual time, waits,
 * yields or ends, and keeps the place (nested loops included) for the next burst.
 */
public final class ProgramRunner {
    /**
     * Bound on operations in one burst: a zero-time endless loop is a model error, not a hang. A
     * burst ends at the first operation that takes virtual time, waits or yields, so only a loop of
     * zero-time operations (printk, wake_up, a lock and its unlock) reaches it; at a few
     * microseconds of wall time per traced operation, it answers in well under a second.
     */
    public static final int MAX_OPS_PER_BURST = 100_000;

    /** A place in a list of operations: which one runs next, and how many more times the list runs. */
    private static final class Cursor {
        List<Op> ops;
        int index;
        long remaining;
    }

    private final Program program;
    /**
     * The places, innermost last: {@code cursors[0..depth-1]}. A popped cursor stays in the array to be
     * used again by the next push (a loop's iteration, a system call's body), so that a burst
     * allocates no cursor once the program has reached its deepest nesting.
     */
    private Cursor[] cursors = new Cursor[4];
    private int depth;
    /**
     * The operation at the top cursor's position, or null: kept by {@link #settle()}, the one place
     * that fixes the position, so that a burst reads one field per operation instead of the
     * stack's top, its list and the list's element.
     */
    private Op next;
    private boolean retrying;
    private boolean exitWorkDone;
    private long opsExecuted;
    /** The value the running system call returns instead of its own, after an {@link Outcome.EndSyscall}; else null. */
    private Long syscallError;

    public ProgramRunner(Program program) {
        this.program = program;
        restart();
    }

    /** Starts the program from its first operation (a new IRQ or soft IRQ invocation). */
    public void restart() {
        while (depth > 0) {
            pop();
        }
        pushCursor(program.ops(), program.repeat());
        retrying = false;
        exitWorkDone = false;
        syscallError = null;
        settle();
    }

    /** Runs {@code ops} next, before the operation the program would run now. */
    public void inject(List<Op> ops) {
        push(List.copyOf(ops), 1);
    }

    public long opsExecuted() {
        return opsExecuted;
    }

    /** The operation that will run next, or null at the end. */
    public Op current() {
        return next;
    }

    /** Runs one burst against {@code x}. */
    public Outcome burst(BurstExec x) {
        int budget = MAX_OPS_PER_BURST;
        while (true) {
            Op op = current();
            if (op == null) {
                if (!exitWorkDone && x.level() == dev.kctx.contexts.ContextLevel.USER) {
                    // A process's program ended: it exits as returning from main does, letting go of what it holds.
                    exitWorkDone = true;
                    push(x.kernel().exitWork(x), 1);
                    continue;
                }
                return Outcome.Exit.INSTANCE;
            }
            if (op instanceof Ops.Loop loop) {
                advance();
                push(loop.body(), loop.count());
                continue;
            }
            if (budget-- == 0) {
                return new Outcome.Failed("no progress in virtual time: " + MAX_OPS_PER_BURST
                        + " operations ran at one instant in " + x.contextName() + " (a loop without compute, sleep or wait?)");
            }
            if (syscallError != null && op.leavesKernel()) {
                op = op.returning(syscallError);
                syscallError = null;
            }
            x.setRetrying(retrying);
            if (op.traced() && x.tracing()) {
                x.trace("kctx_op", op.describe());
            }
            Outcome o = op.execute(x);
            opsExecuted++;
            retrying = false;
            if (o == Outcome.Next.INSTANCE) {
                advance();
                if (x.needsCheckpoint()) {
                    return Outcome.Checkpoint.INSTANCE;
                }
            } else if (o instanceof Outcome.Inline in) {
                advance();
                push(in.ops(), 1);
            } else if (o instanceof Outcome.Spin || o instanceof Outcome.Block || o instanceof Outcome.Sleep s && s.again()) {
                retrying = true;
                return o;
            } else if (o instanceof Outcome.EndSyscall end) {
                if (x.level() != dev.kctx.contexts.ContextLevel.KERNEL || !x.taskContext() || !unwindToKernelExit()) {
                    return new Outcome.Failed(op.describe() + " ended a system call, but " + x.contextName()
                            + " is not in one (only a user process's system call can fail this way)");
                }
                syscallError = end.ret();
                if (x.tracing()) {
                    x.trace("kctx_syscall_error", "ret=" + end.ret() + " at " + op.describe());
                }
            } else {
                advance();
                return o;
            }
        }
    }

    /**
     * The error path: drops the rest of the system call's body, loops and handler-queued operations
     * included, up to the operation that leaves the kernel. False when there is none (not in a system call).
     */
    private boolean unwindToKernelExit() {
        while (depth > 0) {
            Cursor c = cursors[depth - 1];
            for (int i = c.index; i < c.ops.size(); i++) {
                Op o = c.ops.get(i);
                if (o.leavesKernel()) {
                    c.index = i;
                    next = o;
                    return true;
                }
                if (o.entersKernel()) {
                    next = c.ops.get(c.index);
                    return false;
                }
            }
            // A loop or an inline body inside the call: none of its remaining iterations run.
            pop();
        }
        next = null;
        return false;
    }

    private void push(List<Op> ops, long times) {
        // A count of zero runs the body no times; a Cursor with remaining 0 would still run it once.
        if (!ops.isEmpty() && times != 0) {
            pushCursor(ops, times);
        }
        settle();
    }

    private void pushCursor(List<Op> ops, long times) {
        if (depth == cursors.length) {
            cursors = java.util.Arrays.copyOf(cursors, 2 * depth);
        }
        Cursor c = cursors[depth];
        if (c == null) {
            c = cursors[depth] = new Cursor();
        }
        c.ops = ops;
        c.index = 0;
        c.remaining = times;
        depth++;
    }

    private void pop() {
        cursors[--depth].ops = null;
    }

    private void advance() {
        if (depth > 0) {
            cursors[depth - 1].index++;
        }
        settle();
    }

    /** Pops finished cursors, starting loop iterations again while they have some left. */
    private void settle() {
        while (depth > 0) {
            Cursor c = cursors[depth - 1];
            if (c.ops.isEmpty()) {
                pop();
                continue;
            }
            if (c.index < c.ops.size()) {
                next = c.ops.get(c.index);
                return;
            }
            if (c.remaining < 0 || c.remaining > 1) {
                if (c.remaining > 1) {
                    c.remaining--;
                }
                c.index = 0;
                next = c.ops.get(0);
                return;
            }
            pop();
        }
        next = null;
    }

    /** The {@link Exec} as lent for one burst: the runner marks retries, the entity binds its generator. */
    public interface BurstExec extends Exec {
        void setRetrying(boolean retrying);

        void bindRandom(java.util.SplittableRandom random);
    }
}
