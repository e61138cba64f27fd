package dev.kctx.tests.properties;

import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.cli.scenario.Scenario;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Same scenario, same seed, same run: the trace (ftrace text), the reports, the kernel log and
 * every statistic are identical whatever the number of dispatcher threads, whichever path the
 * bursts take (inline in the CPU or through the context actors), whether the machine runs the
 * CPUs itself or they are actors, and whether the machine
 * shares an actor system with earlier runs or has one of its own.
 */
@Label("Determinism")
@AddLifecycleHook(Fuzz.Hook.class)
class DeterminismProperties {

    static final List<Sim.Engine> ENGINES = List.of(new Sim.Engine(2, true, false), new Sim.Engine(4, true),
            new Sim.Engine(1, false), new Sim.Engine(4, false));

    static final Tally TALLY = new Tally("determinism");
    static final java.util.concurrent.atomic.AtomicInteger TRIES = new java.util.concurrent.atomic.AtomicInteger();

    @AfterContainer
    static void stop() {
        Sim.shutdown();
        TALLY.write();
    }

    @Provide
    Arbitrary<GenMachine> machines() {
        return MachineGen.anyMachines();
    }

    @Property(seed = "20261125", tries = 100)
    @Fuzz.Tries(1000)
    @Label("the same spec and seed give the same run with 1, 2 and 4 threads, bursts inline or in the actors")
    void sameRunEverywhere(@ForAll("machines") GenMachine m) {
        Scenario s = Sim.load(m);
        RunResult reference = Sim.run(s, new Sim.Engine(1, true));
        String expected = RunPrint.fingerprint(reference);
        assertTrue(reference.failure().isEmpty(), () -> "the run completed: " + reference.failure() + "\n" + m.yaml());
        TALLY.runs.increment();
        TALLY.events.add(reference.trace().size());
        for (Sim.Engine e : ENGINES) {
            TALLY.runs.increment();
            String actual = RunPrint.fingerprint(Sim.run(s, e));
            assertEquals(RunPrint.sha256(expected), RunPrint.sha256(actual), () -> "with " + e + " the run differs from"
                    + " 1 thread, inline bursts, at " + RunPrint.firstDifference(expected, actual) + "\nscenario:\n" + m.yaml());
        }
        if (TRIES.getAndIncrement() % 10 == 0) {
            // Every tenth machine also runs as kctx run does: through Simulation.run with the default
            // configuration, in the actor system it keeps for it, where earlier machines of this test
            // have run (MachineHosts). A run must not depend on the machines that ran before it.
            TALLY.runs.increment();
            String fresh = RunPrint.fingerprint(Simulation.run(s.spec(), s.untilNs(), true, ConfigFactory.load()));
            assertEquals(RunPrint.sha256(expected), RunPrint.sha256(fresh), () -> "through Simulation.run the run differs"
                    + " at " + RunPrint.firstDifference(expected, fresh) + "\nscenario:\n" + m.yaml());
        }
    }
}
