package dev.kctx.actors;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.WaitHandle;
import dev.kctx.contexts.KernelCall;

import java.util.ArrayList;
import java.util.List;

/**
 * The body of a threaded interrupt's kernel thread irq/LINE-NAME (irq_thread in
 * kernel/irq/manage.c): wait until the primary handler asks for a run (IRQTF_RUNTHREAD), run the
 * thread handler in process context, then irq_finalize_oneshot unmasks a IRQF_ONESHOT line.
 */
final class IrqThread {
    private IrqThread() {
    }

    /** The wait queue the primary handler's end signals. */
    static String queue(int line) {
        return "irq-thread/" + line;
    }

    static Program program(int line, Program thread) {
        List<Op> ops = new ArrayList<>();
        ops.add(new WaitForInterrupt(line));
        ops.addAll(thread.ops());
        ops.add(new Finalize(line));
        return new Program(ops, -1);
    }

    /** irq_wait_for_interrupt: one run for every request so far (the bit is set once however often it is asked). */
    record WaitForInterrupt(int line) implements Op {
        @Override
        public Outcome execute(Exec x) {
            KernelObjects.WaitQueue q = x.kernel().waitQueue(queue(line));
            if (q.tryConsume()) {
                while (q.tryConsume()) {
                    // test_and_clear_bit(IRQTF_RUNTHREAD): requests made while it ran count once
                }
                return Outcome.Next.INSTANCE;
            }
            WaitHandle h = x.waitHandle();
            q.addWaiter(h);
            x.check(KernelCall.SCHEDULE, this);
            return new Outcome.Block(queue(line), 'S');
        }

        @Override
        public String describe() {
            return "irq_wait_for_interrupt";
        }

        @Override
        public boolean traced() {
            return false;
        }
    }

    /** irq_finalize_oneshot: the thread is done; a masked IRQF_ONESHOT line is unmasked. */
    record Finalize(int line) implements Op {
        @Override
        public Outcome execute(Exec x) {
            x.irqThreadDone();
            return Outcome.Next.INSTANCE;
        }

        @Override
        public String describe() {
            return "irq_finalize_oneshot";
        }

        @Override
        public boolean traced() {
            return false;
        }
    }
}
