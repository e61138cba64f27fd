package dev.kctx.cli.experiment;

import dev.kctx.actors.Arrivals;
import dev.kctx.actors.CpuStats;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.KernelObjects.LockType;
import dev.kctx.actors.program.Ops.SpinVariant;
import dev.kctx.actors.program.Program;

import java.util.ArrayList;
import java.util.List;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;

/**
 * IRQ latency (arrival to handler entry) against the length of a critical section a kernel thread
 * holds on the interrupt's CPU, 0..500 us, taken with {@code spin_lock_irqsave} (IRQs off while
 * held) and, for comparison, with {@code spin_lock_bh} (IRQs stay on). The thread holds the lock,
 * releases it and sleeps 1 ms, over and over; the device interrupts at a seeded Poisson rate of
 * 2000 per second, so arrivals fall anywhere in the cycle. One CPU.
 */
public final class IrqsaveHold extends Experiment {
    static final List<SpinVariant> VARIANTS = List.of(SpinVariant.IRQSAVE, SpinVariant.BH);
    /** The critical sections held, and how long each machine runs. */
    record Grid(List<Long> holdsUs, long untilNs) {
        Grid {
            holdsUs = List.copyOf(holdsUs);
        }
    }

    static final Grid FULL = new Grid(List.of(0L, 25L, 50L, 100L, 200L, 300L, 400L, 500L), ms(300));
    /** {@code --quick}: no hold, a short one and the longest, 50 ms each (also the cluster tests' sweep). */
    static final Grid QUICK = new Grid(List.of(0L, 100L, 500L), ms(50));
    /** The handler's own cost: the latency is measured to its entry, so this only keeps the CPU busy. */
    static final long HANDLER_NS = us(2);

    record Cell(SpinVariant variant, long holdUs, long untilNs) {
        /** A cell of the full sweep. */
        Cell(SpinVariant variant, long holdUs) {
            this(variant, holdUs, FULL.untilNs());
        }
    }

    private final Grid grid;

    public IrqsaveHold() {
        this(FULL);
    }

    private IrqsaveHold(Grid grid) {
        super("irqsave-hold", "IRQ latency vs the length of a spin_lock_irqsave critical section (0..500 us),"
                + " spin_lock_bh for comparison", 5, cells(grid).size());
        this.grid = grid;
    }

    @Override
    public String details() {
        return "--quick: holds of 0, 100 and 500 us, 50 ms each.";
    }

    @Override
    public Experiment quick() {
        return new IrqsaveHold(QUICK);
    }

    static List<Cell> cells(Grid grid) {
        List<Cell> cells = new ArrayList<>();
        for (SpinVariant v : VARIANTS) {
            for (long h : grid.holdsUs()) {
                cells.add(new Cell(v, h, grid.untilNs()));
            }
        }
        return cells;
    }

    @Override
    Sweep.Plan<Cell> plan() {
        return new Sweep.Plan<>(cells(grid), IrqsaveHold::machine);
    }

    @Override
    public Result run(Sweep sweep) {
        List<Sweep.Point<Cell>> points = sweep.run(plan());
        ResultTable table = new ResultTable(List.of("lock", "hold us", "irq latency median us", "p99 us", "max us",
                "max band us", "irqs"));
        List<LatencyFigure.Line> p99s = new ArrayList<>();
        List<LatencyFigure.Line> maxima = new ArrayList<>();
        List<String> findings = new ArrayList<>();
        double[] x = grid.holdsUs().stream().mapToDouble(Long::doubleValue).toArray();
        for (SpinVariant v : VARIANTS) {
            List<Sweep.Point<Cell>> mine = points.stream().filter(p -> p.cell().variant() == v).toList();
            for (Sweep.Point<Cell> p : mine) {
                Sweep.Band max = p.band("max");
                table.add(v.lockName(), p.cell().holdUs(), p.band("median").median(), p.band("p99").median(), max.median(),
                        max.range(), (long) p.band("samples").median());
            }
            p99s.add(LatencyFigure.Line.of(v.lockName(), x, mine, "p99"));
            maxima.add(LatencyFigure.Line.of(v.lockName(), x, mine, "max"));
        }
        double[] irqsaveMax = maxima.get(0).median();
        double[] bhMax = maxima.get(1).median();
        findings.add(verdict(x, irqsaveMax, bhMax));
        List<LatencyFigure.Panel> panels = List.of(
                new LatencyFigure.Panel("worst IRQ latency vs critical section", "critical section held (us)",
                        "IRQ latency, max per run (us)", false, maxima),
                new LatencyFigure.Panel("99th-percentile IRQ latency vs critical section", "critical section held (us)",
                        "IRQ latency, p99 per run (us)", false, p99s));
        return new Result(table, new LatencyFigure(panels, 2), findings);
    }

    /**
     * What the data show: with irqsave the worst latency grows with the hold and stays within it
     * (plus the handler in front), with bh it stays flat.
     */
    static String verdict(double[] holdUs, double[] irqsaveMax, double[] bhMax) {
        boolean bounded = true;
        for (int i = 0; i < holdUs.length; i++) {
            bounded &= irqsaveMax[i] <= holdUs[i] + Shape.FLAT_SLACK_US;
        }
        boolean reaches = irqsaveMax[irqsaveMax.length - 1] >= 0.5 * holdUs[holdUs.length - 1];
        boolean expected = Shape.grows(irqsaveMax) && reaches && bounded && Shape.flat(bhMax);
        return "worst IRQ latency: spin_lock_irqsave " + Shape.describe(irqsaveMax) + " with the hold ("
                + ResultTable.cell(irqsaveMax[irqsaveMax.length - 1]) + " us at " + ResultTable.cell(holdUs[holdUs.length - 1])
                + " us held" + (bounded ? ", never above the hold" : ", above the hold somewhere") + "), spin_lock_bh "
                + Shape.describe(bhMax) + (expected ? " -> IRQs wait for the irqsave section, as expected"
                : " -> NOT the expected shape");
    }

    static Sweep.Run machine(Cell cell, long seed) {
        SpinVariant v = cell.variant();
        MachineSpec spec = MachineSpec.builder().name("irqsave-hold").cpus(1).seed(seed).lock("dev_lock", LockType.SPINLOCK)
                .irq("dev", 11, List.of(0), new Arrivals.Rate(2000, -1, 0), Program.builder().compute(HANDLER_NS).build())
                .kthread("holder", 0, 0, Program.builder().spinLock("dev_lock", v).compute(us(cell.holdUs()))
                        .spinUnlock("dev_lock", v).msleep(ms(1)).forever().build())
                .build();
        return new Sweep.Run(spec, cell.untilNs(), r -> Experiment.latencyUs(r.merged(CpuStats::irqLatency)));
    }
}
