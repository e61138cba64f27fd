package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.UserWork;
import dev.kctx.actors.program.WaitHandle;
import dev.kctx.contexts.ContextLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine hooks the signal and upcall mechanisms use: return-to-user work, notification, run-time processes. */
class EngineUserWorkTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** A test stand-in for signal delivery: queued "handlers" per pid. */
    static final class Work implements UserWork {
        final Map<Integer, List<Op>> pending = new ConcurrentHashMap<>();

        public boolean pending(int pid) {
            return pending.containsKey(pid);
        }

        public List<Op> take(int pid) {
            List<Op> w = pending.remove(pid);
            return w == null ? List.of() : w;
        }
    }

    /** Kernel-side op: queue a handler for {@code pid} and signal_wake_up it. */
    record Send(Work work, int pid, List<Op> handler) implements Op {
        public Outcome execute(Exec x) {
            x.kernel().setUserWork(work);
            work.pending.put(pid, handler);
            x.notifyTask(pid);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "send to " + pid;
        }
    }

    @Test
    @DisplayName("work for a task running user code runs at once, then the rest of its step; a sleeper is woken early")
    void notifyAndReturnToUser() {
        Work work = new Work();
        List<String> seen = new CopyOnWriteArrayList<>();
        Op handler = new Ops.Java("handler", k -> seen.add(k.level() + "@" + k.now()));
        MachineSpec spec = MachineSpec.builder().cpus(2)
                .process("target", 0, 0, Program.builder().compute(us(1000)).nanosleep(ms(5)).compute(us(100)).build(), 2000)
                .kthread("sender", 1, us(300), Program.builder().op(new Send(work, 2000, List.of(handler, new Ops.Compute(us(7)))))
                        .msleep(us(1700)).op(new Send(work, 2000, List.of(handler))).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(10));
        assertEquals(List.of(ContextLevel.USER + "@" + us(300), ContextLevel.USER + "@" + us(2000)), seen,
                "the handler ran in user mode at once (300us) and when the sleeper was woken (2000us)");
        // 1000us of its own work plus the 7us handler; then the 5ms sleep ended early at 2000us; then 100us.
        TraceRecordAssert.exitsAt(r, "target", us(2100));
    }

    /** Starts a process and waits for its exit; records its exit code. */
    record SpawnAndWait(List<Integer> codes) implements Op {
        public Outcome execute(Exec x) {
            int pid = x.retrying() ? codes.get(0) : x.spawnProcess("helper", Program.builder().compute(us(40))
                    .op(new Ops.ExitProcess(3)).build(), -1);
            if (!x.retrying()) {
                codes.add(pid);
            }
            var t = x.kernel().task(pid);
            if (t.exited()) {
                codes.add(t.exitCode());
                return Outcome.Next.INSTANCE;
            }
            WaitHandle h = x.waitHandle();
            x.kernel().waitQueue("exit:" + pid).addWaiter(h);
            return new Outcome.Block("exit:" + pid, 'D');
        }

        public String describe() {
            return "spawn and wait";
        }
    }

    @Test
    @DisplayName("a kernel thread starts a user process at run time and waits for its exit status")
    void spawnAndWaitForExit() {
        List<Integer> codes = new ArrayList<>();
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .kthread("worker", 0, us(10), Program.builder().op(new SpawnAndWait(codes)).compute(us(1)).build())
                .build();
        RunResult r = Runs.run(testKit, spec, ms(1));
        assertEquals(2, codes.size(), "a pid and an exit code: " + codes);
        assertTrue(codes.get(0) >= 1000, "a user pid was allocated: " + codes.get(0));
        assertEquals(3, codes.get(1), "the exit status reached the waiter");
        TraceRecordAssert.exitsAt(r, "helper", us(50));
        TraceRecordAssert.exitsAt(r, "worker", us(51));
    }
}
