package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.Arrivals;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.ReportKind;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.procfs.ProcFs;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.OpenFlags;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * File callbacks run in the calling task's process context, where copy_to_user is legal; the same
 * copy from a module's interrupt path (hard IRQ, or the soft IRQ a timer would use) is reported as
 * sleep-in-atomic, as might_fault does.
 */
class AtomicContextTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** What the callback saw of its context. */
    record Seen(ContextLevel level, int pid, boolean atomic) {
    }

    /** The module's one routine handing its status to user space, used by the read callback and (wrongly) the interrupt path. */
    static byte[] status(FileCtx c) {
        return c.copyToUser("status: ok\n".getBytes(StandardCharsets.UTF_8));
    }

    static ModuleDef module(List<Seen> seen) {
        return new ModuleDef("status", List.of(), m -> {
            ProcFs.create(m, "status", 0444, c -> {
                seen.add(new Seen(c.exec().level(), c.pid(), c.exec().atomic().inAtomic()));
                return new String(status(c), StandardCharsets.UTF_8);
            }, null);
            return 0;
        }, null);
    }

    /** The interrupt path calling the module's routine: copy_to_user from interrupt context. */
    record CopyFromInterrupt() implements Op {
        public Outcome execute(Exec x) {
            status(new FileCtx(x));
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "status_irq_path";
        }
    }

    static Calls reader() {
        return Calls.program().shell("insmod status.ko")
                .open("f", "/proc/status", OpenFlags.O_RDONLY).read("read", "f", 100).close("f")
                .shell("sleep 10ms");
    }

    @Test
    @DisplayName("the read callback runs in the reader's process context (KERNEL level, its pid, not atomic) and its copy_to_user is clean")
    void readCallbackIsClean() {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        Calls p = reader();
        RunResult r = p.run(testKit, List.of(module(seen)));
        p.assertRead("read", "status: ok\n");
        assertEquals(List.of(new Seen(ContextLevel.KERNEL, 4242, false)), seen, "one callback, in process context");
        assertTrue(r.reports().isEmpty(), "no report: " + r.reports());
    }

    @Test
    @DisplayName("the same copy_to_user in a hard IRQ handler is sleep-in-atomic at include/linux/uaccess.h; the read callback's copy stays clean")
    void hardIrqCopyIsReported() {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        Calls p = reader();
        RunResult r = p.run(testKit, List.of(module(seen)), b -> b.irq("timer", 0, List.of(0),
                new Arrivals.At(List.of(5_000_000L)), Program.of(new CopyFromInterrupt())));
        p.assertRead("read", "status: ok\n");
        List<Report> bad = r.reportsOf(ReportKind.SLEEP_IN_ATOMIC);
        assertEquals(1, bad.size(), "one report, from the interrupt: " + r.reports());
        assertEquals(1, r.reports().size(), "nothing else is reported: " + r.reports());
        Report rep = bad.get(0);
        assertEquals(ContextLevel.HARDIRQ, rep.where().level(), "in hard-IRQ context");
        assertEquals("copy_to_user(11)", rep.where().op(), "the copy is the culprit");
        assertEquals("BUG: sleeping function called from invalid context at include/linux/uaccess.h", rep.title());
        assertEquals(5_000_000L, rep.where().timeNs(), "at the interrupt's time");
    }

    @Test
    @DisplayName("from a soft IRQ (a timer's bottom half) the copy is reported too, at soft-IRQ level")
    void softIrqCopyIsReported() {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        Calls p = reader();
        RunResult r = p.run(testKit, List.of(module(seen)), b -> b
                .irq("timer", 0, List.of(0), new Arrivals.At(List.of(5_000_000L)),
                        Program.builder().raiseSoftirq(SoftirqVector.TIMER).build())
                .softirq(SoftirqVector.TIMER, Program.of(new CopyFromInterrupt())));
        p.assertRead("read", "status: ok\n");
        List<Report> bad = r.reportsOf(ReportKind.SLEEP_IN_ATOMIC);
        assertEquals(1, bad.size(), "one report: " + r.reports());
        assertEquals(ContextLevel.SOFTIRQ, bad.get(0).where().level(), "in soft-IRQ context");
        assertEquals("copy_to_user(11)", bad.get(0).where().op());
    }
}
