package dev.kctx.cli.explore;

import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.MachineSpec;
import dev.kctx.cli.scenario.Scenario;
import dev.kctx.cli.scenario.ScenarioError;
import dev.kctx.cli.scenario.ScenarioLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("kctx explore's engine: perturb sections, plans, merging and shrinking")
class ExplorerTest {
    static final Explorer.Runner RUNNER = Explorer.local(2, ConfigFactory.load());

    @AfterAll
    static void close() {
        RUNNER.close();
    }

    /**
     * Two threads on two CPUs try one lock at the same instant (100 us). In the default turn order
     * CPU 0 goes first and wins; when CPU 1 goes first, CPU 0's fallback sleeps with preemption off.
     */
    static final String RACE = """
            name: race
            machine: {cpus: 2}
            locks:
              L: spinlock
            kthreads:
              - name: a
                cpu: 0
                body:
                  - compute: 100us
                  - preempt_disable
                  - spin_trylock: {lock: L, then: [compute: 5us, spin_unlock: L], else: [msleep: 1ms]}
                  - preempt_enable
              - name: b
                cpu: 1
                body:
                  - compute: 100us
                  - spin_trylock: {lock: L, then: [compute: 5us, spin_unlock: L]}
            run: {until: 2ms}
            expect:
              clean: true
            """;

    @Test
    @DisplayName("a perturb section moves IRQ arrivals and task starts, replaces the seed and sets the turn order")
    void perturbSection() {
        Choices c = new Choices(42L, Map.of("nic", -3_500L), Map.of("a", 12_000L), 5L, List.of(100_000L));
        String text = RACE.replace("run: {until: 2ms}", """
                irqs:
                  - {name: nic, line: 11, arrivals: {at: [50us]}, handler: [compute: 1us]}
                run: {until: 2ms}""");
        Scenario s = ScenarioLoader.load(Replay.text(text, "race", c), "other");
        assertEquals("race", s.name());
        assertEquals(42L, s.spec().seed(), "perturb.seed replaces the machine's");
        assertEquals(-3_500L, s.spec().perturbation().irqShiftNs("nic"));
        MachineSpec.Task a = s.spec().kthreads().stream().filter(t -> t.name().equals("a")).findFirst().orElseThrow();
        assertEquals(12_000L, a.startNs(), "a starts 12us later");
        assertEquals(5L, s.spec().perturbation().ties().seed());
        assertEquals(List.of(100_000L), s.spec().perturbation().ties().changesNs());
        assertTrue(c.yaml().contains("irqs: {nic: -3.5us}"), c.yaml());
        ScenarioError e = assertThrows(ScenarioError.class,
                () -> ScenarioLoader.load(RACE + "perturb:\n  irqs: {nix: 1us}\n", "race"));
        assertTrue(e.format("f.yaml").contains("unknown irq 'nix'"), e.format("f.yaml"));
        e = assertThrows(ScenarioError.class, () -> ScenarioLoader.load(RACE + "perturb:\n  starts: {a: 5}\n", "race"));
        assertTrue(e.format("f.yaml").contains("has no unit"), e.format("f.yaml"));
    }

    @Test
    @DisplayName("a plan's choices are a function of the run's index, and run 0 is the default run")
    void planIsPure() {
        Scenario s = ScenarioLoader.load(RACE, "race");
        Plan.Space space = Plan.Space.of(s, 100_000, Map.of(), 50_000, List.of());
        Plan p = new Plan(space, Plan.Strategy.RANDOM, 9, 3);
        assertEquals(Choices.NONE, p.choices(0));
        List<Choices> forward = new ArrayList<>();
        for (long i = 1; i < 50; i++) {
            forward.add(p.choices(i));
        }
        for (long i = 49; i >= 1; i--) {
            assertEquals(forward.get((int) i - 1), new Plan(space, Plan.Strategy.RANDOM, 9, 3).choices(i), "run " + i);
        }
        // the Halton timings leave no gap wider than a few window/N in 49 runs
        List<Long> starts = new ArrayList<>();
        forward.forEach(c -> starts.add(c.startShiftsNs().getOrDefault("a", 0L)));
        Collections.sort(starts);
        long gap = starts.get(0);
        for (int i = 1; i < starts.size(); i++) {
            gap = Math.max(gap, starts.get(i) - starts.get(i - 1));
        }
        assertTrue(gap <= 4 * 50_000 / 49, "largest gap " + gap + "ns in a's 0..50us");
    }

    @Test
    @DisplayName("pct finds the same-instant race, shrinks it to choices of which none can go, and merging ignores arrival order")
    void pctFindsRace() {
        ExploreUnit.Result base = RUNNER.run(List.of(new ExploreUnit.Task(0, RACE, "race", Choices.NONE)), () -> { }).get(0);
        assertEquals(List.of(), base.sites(), "the default turn order is clean");
        assertTrue(base.tieInstants().contains(100_000L), "the default run has work on both CPUs at 100us: " + base.tieInstants());
        Scenario s = ScenarioLoader.load(RACE, "race");
        Plan plan = new Plan(Plan.Space.of(s, 0, Map.of(), 0, base.tieInstants()), Plan.Strategy.PCT, 1, 2);
        Explorer.Outcome o = Explorer.explore(RACE, "race", base, plan, new Explorer.Budget(12, null, true), RUNNER, () -> { });
        assertEquals(1, o.findings().size(), "one site: " + o.findings());
        Explorer.Finding f = o.findings().get(0);
        assertTrue(f.key().startsWith("scheduling-while-atomic|") || f.key().startsWith("sleep-in-atomic|"), f.key());
        assertEquals(List.of("ties"), f.shrunk().parts().stream().map(Choices.Part::kind).toList(),
                "a plain turn order, without priority changes, is all it takes: " + f.shrunk().describe());
        // 1-minimal: taking any single perturbation away loses the finding
        for (Choices.Part p : f.shrunk().parts()) {
            ExploreUnit.Result r = RUNNER.run(List.of(new ExploreUnit.Task(1, RACE, "race", f.shrunk().without(p))), () -> { }).get(0);
            assertTrue(Explorer.newSites(base, r).stream().noneMatch(x -> x.key().equals(f.key())),
                    "without " + p + " the race is gone: " + f.shrunk().describe());
        }
        List<ExploreUnit.Result> shuffled = new ArrayList<>(o.results());
        Collections.reverse(shuffled);
        List<Explorer.Finding> again = Explorer.merge(base, shuffled);
        assertEquals(f.firstRun(), again.get(0).firstRun(), "the same first run, whatever order the results came in");
        assertEquals(f.runs(), again.get(0).runs());
    }

    @Test
    @DisplayName("an explore unit crosses the wire as plain JSON: a task and its result come back equal, and a worker's"
            + " run of the JSON task gives the local result")
    void unitAsJson() {
        ExploreUnit.Task task = new ExploreUnit.Task(7, RACE, "race",
                new Choices(null, Map.of(), Map.of("a", -2_000L), 1L, List.of(100_000L)));
        ExploreUnit.Result local = RUNNER.run(List.of(task), () -> { }).get(0);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertEquals(task, ExploreUnits.task(json.valueToTree(task)));
        assertEquals(local, ExploreUnits.result(json.valueToTree(local)));
        try (ExploreUnits worker = new ExploreUnits(ConfigFactory.load())) {
            assertEquals(local, ExploreUnits.result(worker.run(json.valueToTree(task))));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExploreUnits.task(json.createObjectNode().put("index", "x")));
        assertTrue(e.getMessage().startsWith("not an explore unit: "), e.getMessage());
    }
}
