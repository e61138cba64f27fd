package dev.kctx.cli.experiment;

import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.sched.SchedSettings;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("The experiments' machines")
class ExperimentRunTest {

    @Test
    @DisplayName("the probe's operations change nothing: without them the relay machines (fair and FIFO) run to the same trace")
    void probeIsTransparent() {
        for (String direction : RelayVsNetlink.DIRECTIONS) {
            for (String relay : RelayVsNetlink.RELAYS) {
                Sweep.Run run = RelayVsNetlink.machine(new RelayVsNetlink.Cell(relay, direction, 1, 2), 7);
                long until = 30_000_000;
                RunResult with = Simulation.run(run.spec(), until, true, ConfigFactory.load());
                RunResult without = Simulation.run(withoutProbe(run.spec()), until, true, ConfigFactory.load());
                assertTrue(with.failure().isEmpty() && with.reports().isEmpty(), () -> "the relay machine runs cleanly: " + with.reports());
                assertEquals(without.traceText(), with.traceText(), relay + " " + direction + ": the same trace with and without the probe");
                assertEquals(without.cpuStats().get(0).contextSwitches(), with.cpuStats().get(0).contextSwitches());
            }
        }
    }

    @Test
    @DisplayName("IRQ -> user among 8 processes on 1 CPU: the reader's ~1.5 ms median is the running process's protected"
            + " slice (RUN_TO_PARITY) lasting until the next tick; HZ 1000 or a 0.1 ms base slice take it away")
    void fromIrqWaitIsTheTick() {
        for (long seed = 1; seed <= 3; seed++) {
            double hz250 = medianUs(seed, s -> s);
            double hz1000 = medianUs(seed, s -> s.withHz(1000));
            double shortSlice = medianUs(seed, s -> s.withBaseSlice(100_000));
            assertTrue(hz250 > 1000, "seed " + seed + ": HZ 250, 0.75 ms slice: the reader waits for the tick: " + hz250 + " us");
            assertTrue(hz1000 < 250, "seed " + seed + ": HZ 1000: the slice ends at a tick 1 ms apart: " + hz1000 + " us");
            assertTrue(shortSlice < 250, "seed " + seed + ": a 0.1 ms slice is over before most wake-ups: " + shortSlice + " us");
        }
    }

    /** The median latency of a fresh netlink from-irq machine (its own probe) with changed scheduler settings. */
    private static double medianUs(long seed, UnaryOperator<SchedSettings> change) {
        Sweep.Run run = RelayVsNetlink.machine(new RelayVsNetlink.Cell("netlink", "from-irq", 1, 8), seed);
        MachineSpec spec = withSched(run.spec(), change.apply(run.spec().sched()));
        return run.measure().apply(Simulation.run(spec, run.untilNs(), false, ConfigFactory.load())).get("median");
    }

    private static MachineSpec withSched(MachineSpec s, SchedSettings sched) {
        return new MachineSpec(s.name(), s.cpus(), s.preempt(), sched, s.seed(), s.softirqDeferToKsoftirqd(), s.locks(),
                s.irqs(), s.softirqs(), s.kthreads(), s.processes(), s.watchdogs(), s.semaphoreCounts(), s.boot(),
                s.faults(), s.tasklets());
    }

    @Test
    @DisplayName("the netlink machines run without reports, and their data arrive")
    void netlinkRunsCleanly() {
        for (String direction : RelayVsNetlink.DIRECTIONS) {
            Sweep.Run run = RelayVsNetlink.machine(new RelayVsNetlink.Cell("netlink", direction, 2, 1), 3);
            RunResult r = Simulation.run(run.spec(), 30_000_000, false, ConfigFactory.load());
            assertTrue(r.failure().isEmpty() && r.reports().isEmpty(), () -> direction + " runs cleanly: " + r.reports() + r.failure());
            Map<String, Double> m = run.measure().apply(r);
            assertTrue(m.get("samples") >= 5, direction + ": messages arrived: " + m);
        }
    }

    @Test
    @DisplayName("a sweep gives the same numbers whether its machines run one or two at a time")
    void sweepIsDeterministic() {
        List<IrqsaveHold.Cell> cells = List.of(new IrqsaveHold.Cell(Ops.SpinVariant.IRQSAVE, 100),
                new IrqsaveHold.Cell(Ops.SpinVariant.BH, 100));
        var one = new Sweep(3, 1, ConfigFactory.load(), null).run(cells, IrqsaveHold::machine);
        var two = new Sweep(3, 2, ConfigFactory.load(), null).run(cells, IrqsaveHold::machine);
        for (int i = 0; i < cells.size(); i++) {
            for (String metric : List.of("median", "p99", "max", "samples")) {
                assertEquals(List.of(box(one.get(i).values(metric))), List.of(box(two.get(i).values(metric))), metric);
            }
        }
        double[] maxima = one.get(0).values("max");
        assertNotEquals(maxima[0], maxima[1], "different seeds give different runs");
    }

    private static List<Double> box(double[] v) {
        List<Double> l = new ArrayList<>();
        for (double d : v) {
            l.add(d);
        }
        return l;
    }

    /** The same machine with every probe operation taken out of every program. */
    static MachineSpec withoutProbe(MachineSpec s) {
        UnaryOperator<Program> strip = p -> new Program(strip(p.ops()), p.repeat());
        return s.withContexts(s.name(), s.locks(),
                s.irqs().stream().map(i -> new MachineSpec.Irq(i.name(), i.line(), i.cpus(), i.arrivals(), strip.apply(i.handler()))).toList(),
                s.softirqs(),
                s.kthreads().stream().map(t -> new MachineSpec.Task(t.name(), t.cpu(), t.startNs(), strip.apply(t.body()), t.pid(),
                        t.attr(), t.allowed())).toList(),
                s.processes().stream().map(t -> new MachineSpec.Task(t.name(), t.cpu(), t.startNs(), strip.apply(t.body()), t.pid(),
                        t.attr(), t.allowed())).toList());
    }

    private static List<Op> strip(List<Op> ops) {
        List<Op> out = new ArrayList<>();
        for (Op op : ops) {
            if (op instanceof Ops.Loop l) {
                out.add(new Ops.Loop(l.count(), strip(l.body())));
            } else if (!(op instanceof Probe.Stamp || op instanceof Probe.Move || op instanceof Probe.Arrive)) {
                out.add(op);
            }
        }
        return out;
    }
}
