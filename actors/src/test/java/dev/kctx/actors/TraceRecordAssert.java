package dev.kctx.actors;

import dev.kctx.actors.trace.TraceRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions over a run's trace. */
final class TraceRecordAssert {
    private TraceRecordAssert() {
    }

    static void irqEnteredAfter(RunResult r, long t) {
        TraceRecord e = Runs.first(r, x -> x.event().equals("irq_handler_entry"), "irq entry");
        assertTrue(e.timeNs() >= t, "the IRQ handler ran only when IRQs were enabled again at " + t + ": " + e.timeNs());
    }

    static void exitsAt(RunResult r, String comm, long t) {
        TraceRecord e = Runs.first(r, x -> x.event().equals("sched_process_exit") && x.args().startsWith("comm=" + comm + " "),
                comm + " exits");
        assertEquals(t, e.timeNs(), comm + " exits at " + t);
    }
}
