package dev.kctx.mechanisms.deferred;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.WaitHandle;
import dev.kctx.contexts.KernelCall;

import java.util.ArrayList;
import java.util.List;

/**
 * The system workqueue (kernel/workqueue.c) with one worker: queue_work hands a work item to the
 * kernel thread kworker/N:1 of CPU N, which runs it in process context, where it may sleep. Items
 * run one after another in the order queued.
 */
public final class Workqueue {
    private static final String QUEUE = "workqueue:system";

    private final List<List<Op>> queued = new ArrayList<>();

    private Workqueue() {
    }

    public static Workqueue of(KernelObjects k) {
        return k.extension(Workqueue.class, Workqueue::new);
    }

    /** The worker's name on {@code cpu}. */
    public static String kworker(int cpu) {
        return "kworker/" + cpu + ":1";
    }

    /** Adds the worker thread on {@code cpu}. */
    public static MachineSpec.Builder install(MachineSpec.Builder b, int cpu) {
        return b.kthread(kworker(cpu), cpu, 0, Program.builder().forever().op(new Ops.WaitEvent(QUEUE, false)).op(new RunWork()).build());
    }

    /** queue_work(system_wq, work): legal in any context; the worker is woken through the calendar. */
    public static void queueWork(Exec x, List<Op> work) {
        x.check(KernelCall.WAKE_UP, "queue_work(system_wq)");
        of(x.kernel()).queued.add(List.copyOf(work));
        for (WaitHandle h : x.kernel().waitQueue(QUEUE).signal()) {
            x.wake(h);
        }
    }

    /** process_one_work for everything queued so far. */
    record RunWork() implements Op {
        public Outcome execute(Exec x) {
            Workqueue w = of(x.kernel());
            List<Op> ops = new ArrayList<>();
            w.queued.forEach(ops::addAll);
            w.queued.clear();
            return ops.isEmpty() ? Outcome.Next.INSTANCE : new Outcome.Inline(ops);
        }

        public String describe() {
            return "process_one_work";
        }
    }
}
