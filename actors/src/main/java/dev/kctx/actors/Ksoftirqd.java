package dev.kctx.actors;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;

/** The body of the per-CPU ksoftirqd thread (run_ksoftirqd in kernel/softirq.c). */
final class Ksoftirqd {
    private Ksoftirqd() {
    }

    /** One turn: run the pending soft IRQs in this thread's context, or sleep until woken. */
    enum Step implements Op {
        INSTANCE;

        @Override
        public Outcome execute(Exec x) {
            return x.softirqPending() ? Outcome.RunSoftirqs.INSTANCE : new Outcome.Block("ksoftirqd", 'S');
        }

        @Override
        public String describe() {
            return "run_ksoftirqd";
        }

        @Override
        public boolean traced() {
            return false;
        }
    }

    static Program program() {
        return Program.builder().op(Step.INSTANCE).condResched().forever().build();
    }
}
