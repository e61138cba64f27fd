package dev.kctx.tests.properties;

import dev.kctx.actors.RunResult;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every nanosecond of every CPU is accounted for once: time at each level plus idle is the end
 * time, and the time per level the trace shows (rebuilt from its events alone) is the time the
 * statistics report.
 */
@Label("Time conservation")
@AddLifecycleHook(Fuzz.Hook.class)
class TimeConservationProperties {

    static final Tally TALLY = new Tally("time-conservation");

    @AfterContainer
    static void stop() {
        Sim.shutdown();
        TALLY.write();
    }

    @Provide
    Arbitrary<GenMachine> machines() {
        return MachineGen.anyMachines();
    }

    @Property(seed = "1729", tries = 1000)
    @Fuzz.Tries(10000)
    @Label("per CPU, time at each level plus idle is the end time, and the trace agrees with the statistics")
    void timeIsConserved(@ForAll("machines") GenMachine m) {
        RunResult r = Sim.run(m);
        TraceChecker.Result c = TraceChecker.time(m, r);
        TALLY.runs.increment();
        TALLY.events.add(r.trace().size());
        assertTrue(c.ok(), () -> c + "\nscenario:\n" + m.yaml());
    }
}
