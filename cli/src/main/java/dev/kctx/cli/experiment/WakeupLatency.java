package dev.kctx.cli.experiment;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.MachineSpec.Preempt;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.sched.SchedAttr;
import dev.kctx.actors.trace.TraceRecord;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;

/**
 * cyclictest's question: how late does a periodic task run after its timer wakes it? The task
 * sleeps 1 ms at a time ({@code nanosleep}) and works 2..8 us, on CPU 0 of a 1-CPU machine, among
 * 0..16 CPU-bound tasks on the same CPU. Its wake-up latency is read from the trace as the
 * kernel's wakeup tracers define it: each {@code sched_wakeup} of the task to the
 * {@code sched_switch} that puts it on the CPU.
 *
 * <p>Swept: the periodic task's policy (fair nice 0, fair nice -10, SCHED_FIFO 50); the
 * preemption model (none, voluntary, full); and the load. User processes are preempted the same
 * way under every model, so the model matters only when the load runs in the kernel: kernel
 * threads that work in items of 100 us, each behind a {@code kmalloc(GFP_KERNEL)} (a might_sleep
 * point, where preempt=voluntary reschedules), and sleep 100 us after every 20 items; once with
 * {@code cond_resched()} after each item, once without. The load starts at seeded instants within
 * the first 4 ms; the periodic task starts at 100 ms, once every load task has had the CPU (what
 * EEVDF does while new tasks join is another question), and is measured for the grid's duration.
 */
public final class WakeupLatency extends Experiment {
    static final List<Preempt> MODELS = List.of(Preempt.NONE, Preempt.VOLUNTARY, Preempt.FULL);
    /** cyclictest's default interval, and the task's pid in the trace. */
    static final long PERIOD_NS = ms(1);
    static final int PID = 4000;
    /** The periodic task starts once the load has settled. */
    static final long START_NS = ms(100);
    static final long WORK_MIN_NS = us(2);
    static final long WORK_MAX_NS = us(8);
    /** A kernel-thread load: items of this length, each after a kmalloc(GFP_KERNEL)... */
    static final long ITEM_NS = us(100);
    /** ...this many in a row (2 ms in the kernel without a sleep)... */
    static final int ITEMS_PER_BATCH = 20;
    /** ...then usleep_range for this long before the next batch. */
    static final long REST_NS = us(100);
    /** The reference of DESIGN.md and SchedulerLatencyTest, in microseconds. */
    static final double FAIR_MEDIAN_US = 500;
    static final double FAIR_P99_US = 8000;
    static final double FIFO_MAX_US = 50;

    /** The points of the sweep: the numbers of load tasks, and how long each run measures. */
    record Grid(List<Integer> hogs, long measureNs) {
        Grid {
            hogs = List.copyOf(hogs);
            if (!hogs.contains(1) || !hogs.contains(16)) {
                throw new IllegalArgumentException("the headline needs 1 and 16 hogs: " + hogs);
            }
        }
    }

    static final Grid FULL = new Grid(List.of(0, 1, 2, 4, 8, 16), ms(1000));
    /** {@code --quick}: the headline's two points, 0.3 s each. */
    static final Grid QUICK = new Grid(List.of(1, 16), ms(300));

    /** The periodic task's scheduling attributes. */
    enum Sleeper {
        FAIR("fair nice 0", SchedAttr.DEFAULT),
        NICE("fair nice -10", SchedAttr.normal(-10)),
        FIFO("SCHED_FIFO 50", SchedAttr.fifo(50));

        final String label;
        final SchedAttr attr;

        Sleeper(String label, SchedAttr attr) {
            this.label = label;
            this.attr = attr;
        }
    }

    /** What the CPU-bound tasks are. */
    enum Load {
        USER("user processes"),
        KTHREAD_COND_RESCHED("kthreads with cond_resched"),
        KTHREAD("kthreads without cond_resched");

        final String label;

        Load(String label) {
            this.label = label;
        }
    }

    /** One cell of the sweep. */
    record Cell(Load load, Preempt preempt, Sleeper sleeper, int hogs, long measureNs) {
        Key key() {
            return new Key(load, preempt, sleeper, hogs);
        }
    }

    /** A point of the table and plot: a cell without its run length. */
    record Key(Load load, Preempt preempt, Sleeper sleeper, int hogs) {
    }

    private final Grid grid;

    public WakeupLatency() {
        this(FULL);
    }

    WakeupLatency(Grid grid) {
        super("wakeup-latency", "cyclictest: wake-up latency of a task sleeping 1 ms at a time among 0..16 CPU-bound"
                + " tasks on its CPU, per policy (fair nice 0, nice -10, SCHED_FIFO 50), preemption model"
                + " (none, voluntary, full) and load (user processes, kthreads with and without cond_resched)", 3,
                cells(grid).size());
        this.grid = grid;
    }

    @Override
    public String details() {
        return "The periodic task loops nanosleep(1 ms) and 2..8 us of work on CPU 0 of a 1-CPU machine (HZ 250);"
                + " latency: its sched_wakeup to the sched_switch that runs it, over 1 s from t = 100 ms. Load:"
                + " CPU-bound user processes, or kernel threads that work in 100 us items (each after a"
                + " kmalloc(GFP_KERNEL), a might_sleep point) and sleep 100 us after every 20 items, with or without"
                + " cond_resched() after each item. 162 points. --quick: 1 and 16 hogs, 0.3 s.";
    }

    @Override
    public Experiment quick() {
        return new WakeupLatency(QUICK);
    }

    static List<Cell> cells(Grid grid) {
        List<Cell> cells = new ArrayList<>();
        for (Load load : Load.values()) {
            for (Preempt p : MODELS) {
                for (Sleeper s : Sleeper.values()) {
                    for (int h : grid.hogs()) {
                        cells.add(new Cell(load, p, s, h, grid.measureNs()));
                    }
                }
            }
        }
        return cells;
    }

    static String model(Preempt p) {
        return p.name().toLowerCase(Locale.ROOT);
    }

    @Override
    Sweep.Plan<Cell> plan() {
        return new Sweep.Plan<>(cells(grid), WakeupLatency::machine);
    }

    @Override
    public Result run(Sweep sweep) {
        List<Sweep.Point<Cell>> points = sweep.run(plan());
        Map<Key, Sweep.Point<Cell>> byCell = new LinkedHashMap<>();
        points.forEach(p -> byCell.put(p.cell().key(), p));
        Table t = new Table(byCell);
        List<String> columns = new ArrayList<>(List.of("load", "preempt", "hogs"));
        for (Sleeper s : Sleeper.values()) {
            columns.addAll(List.of(s.label + " median us", s.label + " p99 us", s.label + " max us"));
        }
        columns.add("wake-ups");
        ResultTable table = new ResultTable(columns);
        List<LatencyFigure.Panel> panels = new ArrayList<>();
        double[] x = grid.hogs().stream().mapToDouble(Integer::doubleValue).toArray();
        for (Load load : Load.values()) {
            for (Preempt p : MODELS) {
                for (int h : grid.hogs()) {
                    List<Object> row = new ArrayList<>(List.of(load.label, model(p), h));
                    long wakeups = 0;
                    for (Sleeper s : Sleeper.values()) {
                        row.addAll(List.of(t.at(load, p, s, h, "median"), t.at(load, p, s, h, "p99"), t.at(load, p, s, h, "max")));
                        wakeups += (long) byCell.get(new Key(load, p, s, h)).band("samples").median();
                    }
                    row.add(wakeups);
                    table.add(row.toArray());
                }
                List<LatencyFigure.Line> lines = new ArrayList<>();
                for (Sleeper s : Sleeper.values()) {
                    List<Sweep.Point<Cell>> curve = grid.hogs().stream().map(h -> byCell.get(new Key(load, p, s, h))).toList();
                    lines.add(LatencyFigure.Line.of(s.label, x, curve, "p99"));
                }
                panels.add(new LatencyFigure.Panel(load.label + ", preempt=" + model(p), "CPU-bound tasks on the CPU (hogs)",
                        "p99 wake-up latency (us; dashed: seeds min-max)", false, lines));
            }
        }
        return new Result(table, new LatencyFigure(panels, MODELS.size()), findings(t));
    }

    /** The points by load, model, policy and hogs; a metric's value is the median over seeds, max's the maximum. */
    record Table(Map<Key, Sweep.Point<Cell>> points) {
        double at(Load load, Preempt p, Sleeper s, int hogs, String metric) {
            Sweep.Band b = points.get(new Key(load, p, s, hogs)).band(metric);
            return metric.equals("max") ? b.max() : b.median();
        }
    }

    static List<String> findings(Table t) {
        double median = 0;
        double p99 = 0;
        double fifo = 0;
        for (Preempt p : MODELS) {
            for (int h : List.of(1, 16)) {
                median = Math.max(median, t.at(Load.USER, p, Sleeper.FAIR, h, "median"));
                p99 = Math.max(p99, t.at(Load.USER, p, Sleeper.FAIR, h, "p99"));
                fifo = Math.max(fifo, t.at(Load.USER, p, Sleeper.FIFO, h, "max"));
            }
        }
        StringBuilder nice = new StringBuilder("among 16 user processes (preempt=none): ");
        for (Sleeper s : List.of(Sleeper.FAIR, Sleeper.NICE)) {
            nice.append(s == Sleeper.FAIR ? "" : "; ").append(s.label).append(" median ")
                    .append(ResultTable.cell(t.at(Load.USER, Preempt.NONE, s, 16, "median")))
                    .append(", p99 ").append(ResultTable.cell(t.at(Load.USER, Preempt.NONE, s, 16, "p99")))
                    .append(", max ").append(ResultTable.cell(t.at(Load.USER, Preempt.NONE, s, 16, "max"))).append(" us");
        }
        return List.of(headline(median, p99, fifo), nice.toString(),
                models(t.at(Load.KTHREAD, Preempt.NONE, Sleeper.FIFO, 16, "max"),
                        t.at(Load.KTHREAD, Preempt.VOLUNTARY, Sleeper.FIFO, 16, "max"),
                        t.at(Load.KTHREAD, Preempt.FULL, Sleeper.FIFO, 16, "max")),
                condResched(t.at(Load.KTHREAD_COND_RESCHED, Preempt.NONE, Sleeper.FIFO, 16, "max"),
                        t.at(Load.KTHREAD, Preempt.NONE, Sleeper.FIFO, 16, "max")));
    }

    /**
     * The reference behaviour of DESIGN.md and SchedulerLatencyTest, tested on the user-process load
     * (the worst of 1 and 16 hogs under every model): a fair sleeper waits a median of at most
     * 0.5 ms and a p99 of at most 8 ms; a SCHED_FIFO one at most 0.05 ms, ever.
     */
    static String headline(double fairMedianUs, double fairP99Us, double fifoMaxUs) {
        boolean holds = fairMedianUs <= FAIR_MEDIAN_US && fairP99Us <= FAIR_P99_US && fifoMaxUs <= FIFO_MAX_US;
        return "among 1 and 16 user processes, every model: fair nice 0 median at most " + ResultTable.cell(fairMedianUs)
                + " us, p99 at most " + ResultTable.cell(fairP99Us) + " us; SCHED_FIFO 50 max " + ResultTable.cell(fifoMaxUs)
                + " us" + (holds ? " -> the reference holds" : " -> NOT the reference")
                + " (fair median <= 500 us and p99 <= 8000 us, FIFO max <= 50 us)";
    }

    /**
     * The preemption models, on 16 kernel threads without cond_resched: the SCHED_FIFO task waits
     * for the thread's next sleep under none, its next might_sleep point under voluntary, nothing
     * under full. Expected: none above two items, voluntary within an item, full within 50 us.
     */
    static String models(double noneUs, double voluntaryUs, double fullUs) {
        double item = ITEM_NS / 1000.0;
        boolean expected = noneUs > 2 * item && voluntaryUs <= item + Shape.FLAT_SLACK_US && fullUs <= FIFO_MAX_US;
        return "SCHED_FIFO 50 among 16 kthreads without cond_resched, max: preempt=none " + ResultTable.cell(noneUs)
                + " us, voluntary " + ResultTable.cell(voluntaryUs) + " us, full " + ResultTable.cell(fullUs) + " us"
                + (expected ? " -> none waits for the thread to sleep, voluntary for its next might_sleep point, full not at all"
                : " -> NOT the expected order (none above 2 items, voluntary within 1 item, full within 50 us)");
    }

    /** cond_resched on a non-preemptible kernel: the wait shrinks from the thread's batch to one item. */
    static String condResched(double withUs, double withoutUs) {
        double item = ITEM_NS / 1000.0;
        boolean expected = withUs <= item + Shape.FLAT_SLACK_US && withoutUs > 2 * item;
        return "preempt=none, 16 kthreads, SCHED_FIFO 50 max: with cond_resched " + ResultTable.cell(withUs)
                + " us, without " + ResultTable.cell(withoutUs) + " us"
                + (expected ? " -> cond_resched bounds the wait by one item (" + ResultTable.cell(item) + " us)"
                : " -> NOT bounded by one item with cond_resched");
    }

    /** The machine of one cell and seed; its measure reads the periodic task's wake-ups from the trace. */
    static Sweep.Run machine(Cell cell, long seed) {
        MachineSpec.Builder b = MachineSpec.builder().name("wakeup-latency").cpus(1).seed(seed).preempt(cell.preempt());
        Program cyclic = Program.builder().loop(-1, l -> l.nanosleep(PERIOD_NS).computeRandom(WORK_MIN_NS, WORK_MAX_NS)).build();
        b.process(new MachineSpec.Task("cyclictest", 0, START_NS, cyclic, PID, cell.sleeper().attr, List.of()));
        SplittableRandom phase = new SplittableRandom(seed);
        for (int i = 0; i < cell.hogs(); i++) {
            long start = phase.nextLong(ms(4));
            if (cell.load() == Load.USER) {
                b.process("hog" + i, 0, start, Program.builder().compute(ms(100)).forever().build());
            } else {
                b.kthread("khog" + i, 0, start, kernelHog(cell.load() == Load.KTHREAD_COND_RESCHED));
            }
        }
        return new Sweep.Run(b.build(), START_NS + cell.measureNs(), true, r -> Experiment.latencyUs(wakeupLatencies(r, PID)));
    }

    /** A kernel thread's CPU-bound work: batches of items, each behind a might_sleep point, then a short sleep. */
    static Program kernelHog(boolean condResched) {
        return Program.builder().loop(-1, batch -> batch.loop(ITEMS_PER_BATCH, item -> {
            item.kmalloc(256, false).compute(ITEM_NS);
            if (condResched) {
                item.condResched();
            }
        }).usleepRange(REST_NS)).build();
    }

    /** Each sched_wakeup of {@code pid} to the sched_switch that puts it on the CPU, in ns. */
    static Histogram wakeupLatencies(RunResult r, int pid) {
        Histogram h = new Histogram(3);
        long wokenAt = -1;
        for (TraceRecord t : r.trace()) {
            if (t.subject() != pid) {
                continue;
            }
            if (t.event().equals("sched_wakeup")) {
                wokenAt = t.timeNs();
            } else if (wokenAt >= 0 && t.event().equals("sched_switch")) {
                h.recordValue(t.timeNs() - wokenAt);
                wokenAt = -1;
            }
        }
        return h;
    }
}
