package dev.kctx.bench;

import com.typesafe.config.ConfigFactory;
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
 * The standard workload scaled: {@code shape} is CPUS x PROCESSES (16 consumers, or half the
 * processes when fewer, the rest CPU-bound). Each shot is one run of {@link #VIRTUAL_MS} of
 * virtual time through {@code Simulation.run} (in the actor system it keeps between runs), all of it timed; the secondary {@code events} result is
 * the shot's simulated events, which the {@link Suite}'s summary turns into events per wall second. Before the shots, a heap census ({@link HeapCensus}) prints the
 * heap bytes per process. The forks get a 1 GiB heap: the bound for 100 000 processes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Xms1g"})
public class ScalingBench {
    static final long VIRTUAL_MS = 200;

    @Param({"1x32", "2x32", "4x32", "16x32", "64x32", "4x10", "4x1000", "4x10000", "4x100000"})
    public String shape;

    private Params params;

    /** Simulated events of the shot (a count; the summary divides it by the shot's time). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
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
        params = parse(shape);
        HeapCensus.Census c = HeapCensus.take(params, VIRTUAL_MS * 1_000_000L);
        System.out.println(c.line());
    }

    static Params parse(String shape) {
        String[] p = shape.split("x");
        return Params.scaled(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
    }

    @Benchmark
    public RunResult run(Events ev) {
        RunResult r = Simulation.run(StandardWorkload.spec(params), VIRTUAL_MS * 1_000_000L, false, ConfigFactory.load());
        if (r.failure().isPresent()) {
            throw new IllegalStateException(r.failure().get());
        }
        ev.events += r.events();
        return r;
    }
}
