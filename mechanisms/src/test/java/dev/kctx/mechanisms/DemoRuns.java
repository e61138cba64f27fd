package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.kctx.actors.Machine;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.mechanisms.demo.TranscriptDemo;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test support: runs a machine (a demo's, or any) to an end time with the ActorTestKit. */
public final class DemoRuns {
    private DemoRuns() {
    }

    /** The demo as `kctx demo` runs it: seed 1, 12ms of virtual time. */
    public static RunResult demo(ActorTestKit kit, TranscriptDemo d) {
        return run(kit, d.spec(1), 12_000_000L);
    }

    public static RunResult run(ActorTestKit kit, MachineSpec spec, long untilNs) {
        TestProbe<Machine.Finished> probe = kit.createTestProbe();
        ActorRef<Machine.Command> m = kit.spawn(Machine.create(spec, true));
        m.tell(new Machine.Start(untilNs, probe.getRef()));
        RunResult r = probe.receiveMessage(Duration.ofSeconds(60)).result();
        kit.stop(m);
        assertTrue(r.failure().isEmpty(), () -> "the run completed: " + r.failure().orElse(""));
        return r;
    }
}
