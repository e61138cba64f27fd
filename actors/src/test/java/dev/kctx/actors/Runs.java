package dev.kctx.actors;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.ContextLevel;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Test support: runs a machine in a test kit and checks the machine's invariants on every result. */
final class Runs {
    private Runs() {
    }

    /** Like {@link #run} but a run stopped early (a detected lockup) is fine too. */
    static RunResult runAllowingStop(ActorTestKit kit, MachineSpec spec, long until) {
        return run(kit, spec, until);
    }

    static RunResult run(ActorTestKit kit, MachineSpec spec, long until) {
        TestProbe<Machine.Finished> probe = kit.createTestProbe();
        ActorRef<Machine.Command> machine = kit.spawn(Machine.create(spec, true));
        machine.tell(new Machine.Start(until, probe.getRef()));
        RunResult r = probe.receiveMessage(Duration.ofSeconds(60)).result();
        kit.stop(machine);
        checkInvariants(r);
        return r;
    }

    /** What must hold after any run: time is conserved per CPU, the trace is ordered, nothing failed. */
    static void checkInvariants(RunResult r) {
        assertTrue(r.failure().isEmpty(), () -> "the run completed: " + r.failure().orElse(""));
        for (CpuStats s : r.cpuStats()) {
            long sum = s.idleNs();
            for (ContextLevel l : ContextLevel.values()) {
                sum += s.timeAt(l);
            }
            assertEquals(r.endNs(), sum, "cpu " + s.cpu() + " accounts for every nanosecond of the run");
        }
        long last = -1;
        for (TraceRecord t : r.trace()) {
            assertTrue(t.timeNs() >= last, "trace timestamps never go back");
            last = t.timeNs();
        }
    }

    static List<TraceRecord> events(RunResult r, String name) {
        return r.trace().stream().filter(t -> t.event().equals(name)).toList();
    }

    static TraceRecord first(RunResult r, Predicate<TraceRecord> p, String what) {
        return r.trace().stream().filter(p).findFirst().orElseGet(() -> fail("no trace event: " + what + "\n" + r.traceText()));
    }

    static int indexOf(RunResult r, TraceRecord rec) {
        return r.trace().indexOf(rec);
    }
}
