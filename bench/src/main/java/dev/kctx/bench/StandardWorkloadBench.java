package dev.kctx.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.mechanisms.bench.StandardWorkload;
import dev.kctx.mechanisms.bench.StandardWorkload.Params;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The standard workload for {@code virtualMs} of virtual time, on the engine (through {@code
 * Simulation.run}, as {@code kctx run} does, in the actor system it keeps between runs), on the engine with Akka's default mailbox instead of the
 * priority mailbox, and on the {@link Baseline}. The score is runs per second; the secondary
 * {@code events} result is simulated events per wall second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class StandardWorkloadBench {
    @Param({"200", "2000"})
    public long virtualMs;

    private MachineSpec spec;
    private Params params;
    private Config priority;
    private Config fifo;

    /** Simulated events, normalised by JMH to events per wall second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Events {
        public long events;

        @Setup(Level.Iteration)
        public void clear() {
            events = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        Quiet.logs();
        params = Params.standard();
        spec = StandardWorkload.spec(params);
        priority = ConfigFactory.load();
        fifo = ConfigFactory.parseString("kctx.context-mailbox.mailbox-type = \"akka.dispatch.UnboundedMailbox\"")
                .withFallback(priority);
    }

    @Benchmark
    public RunResult engine(Events ev) {
        return run(priority, ev);
    }

    @Benchmark
    public RunResult engineDefaultMailbox(Events ev) {
        return run(fifo, ev);
    }

    @Benchmark
    public Baseline.Result baseline(Events ev) {
        Baseline.Result r = Baseline.run(params, virtualMs * 1_000_000L);
        ev.events += r.events();
        return r;
    }

    private RunResult run(Config config, Events ev) {
        RunResult r = Simulation.run(spec, virtualMs * 1_000_000L, false, config);
        if (r.failure().isPresent()) {
            throw new IllegalStateException(r.failure().get());
        }
        ev.events += r.events();
        return r;
    }
}
