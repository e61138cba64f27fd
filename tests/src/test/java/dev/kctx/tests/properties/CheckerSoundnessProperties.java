package dev.kctx.tests.properties;

import dev.kctx.actors.RunResult;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.ReportKind;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checker reports what is wrong and only that: clean machines (see {@link MachineGen} for the
 * discipline) give no report at all, and the same machines with exactly one violation give a
 * report of that violation's kind and of no other kind (except a lockup the bug itself causes).
 */
@Label("Checker soundness")
@AddLifecycleHook(Fuzz.Hook.class)
class CheckerSoundnessProperties {

    static final Tally CLEAN = new Tally("soundness-clean");
    static final Tally INJECTED = new Tally("soundness-injected");

    @AfterContainer
    static void stop() {
        Sim.shutdown();
        CLEAN.write();
        INJECTED.write();
    }

    @Provide
    Arbitrary<GenMachine> clean() {
        return MachineGen.cleanMachines();
    }

    @Provide
    Arbitrary<MachineGen.Shape> shapes() {
        return MachineGen.shapes();
    }

    @Property(seed = "4242", tries = 1000)
    @Fuzz.Tries(10000)
    @Label("a clean machine gives no report")
    void cleanGivesNoReport(@ForAll("clean") GenMachine m) {
        RunResult r = Sim.run(m);
        CLEAN.runs.increment();
        CLEAN.events.add(r.trace().size());
        assertTrue(r.failure().isEmpty(), () -> "the run completed: " + r.failure() + "\n" + m.yaml());
        assertTrue(r.reports().isEmpty(), () -> "a clean machine gave reports:\n" + RunPrint.reports(r) + "scenario:\n" + m.yaml());
    }

    @Property(seed = "777", tries = 100)
    @Fuzz.Tries(1000)
    @Label("each injected violation gives a report of its kind, and no other kind")
    void oneViolationGivesItsReport(@ForAll("shapes") MachineGen.Shape shape) {
        for (MachineGen.Violation v : MachineGen.Violation.values()) {
            MachineGen.Injected inj = MachineGen.inject(shape, v);
            RunResult r = Sim.run(inj.machine());
            INJECTED.runs.increment();
            INJECTED.events.add(r.trace().size());
            Set<ReportKind> kinds = EnumSet.noneOf(ReportKind.class);
            for (Report x : r.reports()) {
                kinds.add(x.kind());
            }
            Set<ReportKind> allowed = EnumSet.of(v.kind);
            allowed.addAll(inj.companions());
            String context = v + " (" + inj.what() + ") gave:\n" + RunPrint.reports(r) + "scenario:\n" + inj.machine().yaml();
            assertTrue(r.failure().isEmpty(), () -> "the run completed: " + r.failure() + "\n" + context);
            assertTrue(kinds.contains(v.kind), () -> "no " + v.kind.id() + " report: " + context);
            assertTrue(allowed.containsAll(kinds), () -> "reports of other kinds than " + allowed + ": " + context);
        }
    }
}
