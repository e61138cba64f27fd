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
 * In every trace a context runs only when nothing of a higher level is runnable on its CPU, and
 * the nesting is what preempt_count allows; {@link TraceChecker} names each invariant.
 */
@Label("Preemption order")
@AddLifecycleHook(Fuzz.Hook.class)
class PreemptionOrderProperties {

    static final Tally TALLY = new Tally("preemption-order");

    @AfterContainer
    static void stop() {
        Sim.shutdown();
        TALLY.write();
        assertTrue(TALLY.irqEntries.sum() > 0 && TALLY.softirqEntries.sum() > 0 && TALLY.trackedArrivals.sum() > 0,
                "the generated machines took hard and soft IRQs: " + TALLY);
    }

    @Provide
    Arbitrary<GenMachine> machines() {
        return MachineGen.anyMachines();
    }

    @Property(seed = "31337", tries = 1000)
    @Fuzz.Tries(10000)
    @Label("every trace keeps the preemption order and the nesting preempt_count allows")
    void preemptionOrder(@ForAll("machines") GenMachine m) {
        RunResult r = Sim.run(m);
        TraceChecker.Result c = TraceChecker.preemption(m, r);
        TALLY.add(c);
        assertTrue(r.failure().isEmpty(), () -> "the run completed: " + r.failure() + "\n" + m.yaml());
        assertTrue(c.ok(), () -> c + "\nscenario:\n" + m.yaml());
    }
}
