package dev.kctx.actors;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.program.Program;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MachineHostsTest {

    private static MachineSpec spec() {
        return MachineSpec.builder().cpus(2).seed(7)
                .irq("dev", 9, List.of(0, 1), new Arrivals.Every(us(40), -1, us(40)), Program.builder().compute(us(3)).build())
                .process("p", 0, 0, Program.builder().compute(us(700)).nanosleep(us(300)).forever().build())
                .process("q", 1, 0, Program.builder().compute(ms(3)).forever().build())
                .build();
    }

    /** A configuration no other test uses, so that its runs find no kept system but their own. */
    private static Config fresh(String tag) {
        return ConfigFactory.parseString("kctx.test-tag = " + tag).withFallback(ConfigFactory.load());
    }

    @Test
    @DisplayName("runs with an equal configuration share one kept actor system and give the same result as the first run")
    void keptAndReused() {
        Config config = fresh("kept");
        long before = MachineHosts.started();
        RunResult first = Simulation.run(spec(), ms(20), true, config);
        RunResult second = Simulation.run(spec(), ms(20), true, config);
        RunResult third = Simulation.run(spec(), ms(20), true, fresh("kept"));
        assertEquals(1, MachineHosts.started() - before, "one actor system for three runs with equal configurations");
        assertTrue(first.events() > 100, "the runs did something: " + first.events() + " events");
        for (RunResult r : List.of(second, third)) {
            assertEquals(first.events(), r.events(), "the same events in a kept system");
            assertEquals(first.trace(), r.trace(), "the same trace in a kept system");
        }
    }

    @Test
    @DisplayName("a kept system holds no machine after its run, and runs on daemon threads only")
    void machineStoppedAndThreadsDaemonic() throws InterruptedException {
        Simulation.run(spec(), ms(5), false, fresh("stopped"));
        ActorSystem<?> kept = MachineHosts.idle().get(0);
        String tree = kept.printTree();
        for (int i = 0; i < 200 && tree.contains("machine-"); i++) {
            Thread.sleep(10);
            tree = kept.printTree();
        }
        assertFalse(tree.contains("machine-"), "the machine and its actors are stopped:\n" + tree);
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(kept.name() + "-")) {
                assertTrue(t.isDaemon(), t.getName() + " is a daemon thread, so that a kept system never holds the JVM open");
            }
        }
    }

    @Test
    @DisplayName("no more than MAX_IDLE systems are kept, whatever the number of configurations")
    void boundedPool() {
        for (int i = 0; i < MachineHosts.MAX_IDLE + 2; i++) {
            Simulation.run(spec(), ms(1), false, fresh("bounded-" + i));
        }
        assertEquals(MachineHosts.MAX_IDLE, MachineHosts.idle().size(), "kept systems");
    }

    @Test
    @DisplayName("runs from several threads at once, with one configuration, each get a system of their own and the same result")
    void concurrentRuns() throws Exception {
        Config config = fresh("concurrent");
        RunResult reference = Simulation.run(spec(), ms(10), true, config);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<RunResult>> runs = new java.util.ArrayList<>();
            for (int i = 0; i < 9; i++) {
                runs.add(pool.submit(() -> Simulation.run(spec(), ms(10), true, config)));
            }
            for (var f : runs) {
                RunResult r = f.get(2, java.util.concurrent.TimeUnit.MINUTES);
                assertTrue(r.failure().isEmpty(), "no failure: " + r.failure());
                assertEquals(reference.trace(), r.trace(), "the same trace in whichever system the run got");
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(MachineHosts.idle().size() <= MachineHosts.MAX_IDLE, "kept systems: " + MachineHosts.idle().size());
    }

    @Test
    @DisplayName("a run stopped by its wall-clock budget answers with what it has, and its kept system serves the next run")
    void afterWallBudget() {
        Config config = fresh("wall");
        long before = MachineHosts.started();
        RunResult cut = Simulation.run(spec(), 3_600_000_000_000L, false, config, null,
                new Simulation.Budget(Long.MAX_VALUE, java.time.Duration.ofMillis(200)));
        assertTrue(cut.budget().orElse("").contains("wall-clock budget"), "stopped by the wall-clock budget: " + cut.budget());
        RunResult reference = Simulation.run(spec(), ms(20), true, fresh("wall-reference"));
        RunResult next = Simulation.run(spec(), ms(20), true, config);
        assertEquals(reference.trace(), next.trace(), "the next run in the same system is a run like any other");
        assertEquals(2, MachineHosts.started() - before, "the cut run's system was kept for the next run (the reference got one of its own)");
    }

    @Test
    @DisplayName("a run whose machine crashes still answers, and the next run in the kept system is unaffected")
    void afterCrash() {
        Config config = fresh("crash");
        MachineSpec crasher = MachineSpec.builder().cpus(1)
                .kthread("crasher", 0, 0, Program.builder().compute(us(5)).java("boom", k -> {
                    throw new AssertionError("the entity actor stops");
                }).build()).build();
        RunResult crashed = Simulation.run(crasher, ms(1), false, config);
        assertTrue(crashed.failure().orElse("").contains("stopped unexpectedly"), "engine failure: " + crashed.failure());
        RunResult clean = Simulation.run(spec(), ms(20), true, fresh("crash-reference"));
        RunResult after = Simulation.run(spec(), ms(20), true, config);
        assertTrue(after.failure().isEmpty(), "no failure: " + after.failure());
        assertEquals(clean.trace(), after.trace(), "the same trace as in a system that never saw the crash");
    }
}
