package dev.kctx.tests.faults;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Program;
import dev.kctx.cli.scenario.Scenario;
import dev.kctx.cli.scenario.ScenarioLoader;
import dev.kctx.tests.properties.Sim;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The engine's invariants ({@link EngineInvariants}) at the end of every fault example and every
 * example that expects a clean run: the scenario files' faults (kills, interrupted waits, a
 * consumer that stops reading, rmmod in use, lost IRQs, failed allocations) leave the engine
 * consistent, not only the Java-built machines of {@link FaultInjectionTest}. A kernel thread that
 * captures the kernel objects at 0 ns is added to each machine (it takes no time).
 */
@DisplayName("The engine's invariants hold at the end of the fault examples and the clean examples")
class ExampleInvariantsTest {
    static final Path EXAMPLES = Path.of("..", "examples");

    @AfterAll
    static void shutdown() {
        Sim.shutdown();
    }

    static Stream<Path> examples() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                String text = Files.readString(p);
                if (p.getFileName().toString().startsWith("fault-") || text.matches("(?s).*\\n  clean: true.*")) {
                    out.add(p);
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void invariantsHold(Path file) throws IOException {
        Scenario s = ScenarioLoader.load(Files.readString(file), file.getFileName().toString());
        AtomicReference<KernelObjects> k = new AtomicReference<>();
        MachineSpec spec = s.spec();
        List<MachineSpec.Task> kthreads = new ArrayList<>(spec.kthreads());
        kthreads.add(new MachineSpec.Task("inspector", 0, 0, Program.of(new FaultInjectionTest.Inspect(k)), 0));
        MachineSpec withInspector = new MachineSpec(spec.name(), spec.cpus(), spec.preempt(), spec.sched(), spec.seed(),
                spec.softirqDeferToKsoftirqd(), spec.locks(), spec.irqs(), spec.softirqs(), kthreads, spec.processes(),
                spec.watchdogs(), spec.semaphoreCounts(), spec.boot(), spec.faults(), spec.tasklets());
        RunResult r = Sim.run(withInspector, s.untilNs(), Sim.DEFAULT);
        assertNotNull(k.get(), "the inspector ran");
        List<Integer> pids = spec.processes().stream().map(MachineSpec.Task::pid).filter(p -> p > 0).toList();
        List<String> bad = new ArrayList<>(EngineInvariants.check(r, k.get(), pids));
        // A task that dies holding a lock is the scenario's bug, which the run reports as the kernel does (a kernel
        // thread at do_exit, a process when it went back to user space with it); the lock stays held, as in Linux.
        if (r.reports().stream().anyMatch(rep -> rep.kind() == dev.kctx.contexts.ReportKind.LOCKS_HELD_AT_EXIT
                || rep.kind() == dev.kctx.contexts.ReportKind.LOCK_HELD_RETURNING_TO_USER)) {
            bad.removeIf(b -> b.startsWith("lock-owner-alive"));
        }
        assertEquals(List.of(), bad, "the engine's invariants hold at the end of " + file.getFileName());
    }
}
