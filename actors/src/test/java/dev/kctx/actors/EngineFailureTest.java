package dev.kctx.actors;

import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.program.Program;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineFailureTest {

    @Test
    @DisplayName("an operation that throws ends the run with a failure naming the context and the exception")
    void operationThrows() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .kthread("buggy", 0, 0, Program.builder().compute(us(5)).java("boom", k -> {
                    throw new IllegalStateException("driver bug");
                }).build()).build();
        RunResult r = Simulation.run(spec, ms(1), true, ConfigFactory.load());
        assertTrue(r.failure().isPresent(), "the run failed");
        assertTrue(r.failure().get().contains("kthread buggy") && r.failure().get().contains("driver bug"), r.failure().get());
        assertEquals(us(5), r.endNs(), "it ended at the failing instant");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES) // a hang guard: without the fix this waited for the 2-hour safety net
    @DisplayName("an actor that crashes outright ends the run at once with an engine failure, instead of a hang")
    void actorCrash() {
        MachineSpec spec = MachineSpec.builder().cpus(1)
                .kthread("crasher", 0, 0, Program.builder().compute(us(5)).java("boom", k -> {
                    throw new AssertionError("not a RuntimeException: the entity actor stops");
                }).build()).build();
        RunResult r = Simulation.run(spec, ms(1), true, ConfigFactory.load());
        assertTrue(r.failure().isPresent() && r.failure().get().contains("stopped unexpectedly"), "engine failure: " + r.failure());
    }

    @Test
    @DisplayName("using a mutex as a spin lock is a model error with a clear message")
    void lockTypeMismatch() {
        MachineSpec spec = MachineSpec.builder().cpus(1).lock("m", dev.kctx.actors.program.KernelObjects.LockType.MUTEX)
                .kthread("t", 0, 0, Program.builder().spinLock("m").build()).build();
        RunResult r = Simulation.run(spec, ms(1), true, ConfigFactory.load());
        assertTrue(r.failure().orElse("").contains("lock 'm' is a MUTEX but is used as a SPINLOCK"), r.failure().orElse("none"));
    }
}
