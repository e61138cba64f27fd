package dev.kctx.cli.experiment;

import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
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
