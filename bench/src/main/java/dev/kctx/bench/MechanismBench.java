package dev.kctx.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Wall time per simulated mechanism operation: one run repeats the operation {@code ops} times in
 * one process (see {@link MechanismWorkloads}); the score is the run's wall time. A run with no
 * operation measures the fixed part (actor system start, module load), so one operation costs
 * (score(20000) - score(0)) / 20000.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class MechanismBench {
    @Param({"0", "20000"})
    public int ops;

    /** Long enough for every operation: a round trip takes microseconds of virtual time. */
    static final long UNTIL_NS = 100_000_000_000L;

    private MachineSpec genl;
    private MachineSpec cdev;
    private Config config;

    @Setup(Level.Trial)
    public void setUp() {
        Quiet.logs();
        genl = MechanismWorkloads.genetlinkEcho(ops);
        cdev = MechanismWorkloads.chardevRead(ops);
        config = ConfigFactory.load();
    }

    @Benchmark
    public RunResult genetlinkRequestAck() {
        return run(genl, MechanismWorkloads.ECHO_OK);
    }

    @Benchmark
    public RunResult chardevRead() {
        return run(cdev, MechanismWorkloads.CDEV_TEXT);
    }

    private RunResult run(MachineSpec spec, String okLine) {
        RunResult r = Simulation.run(spec, UNTIL_NS, false, config);
        long ok = r.console().stream().filter(okLine::equals).count();
        if (ok != ops) {
            throw new IllegalStateException(ok + " of " + ops + " operations succeeded");
        }
        return r;
    }
}
