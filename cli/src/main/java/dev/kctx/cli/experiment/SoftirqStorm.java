package dev.kctx.cli.experiment;

import dev.kctx.actors.Arrivals;
import dev.kctx.actors.CpuStats;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.contexts.ContextLevel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;

/**
 * A packet storm on one CPU: a NIC interrupts at a seeded Poisson rate, its handler queues the
 * packet and raises NET_RX, and NET_RX processes every queued packet (8 us each). A CPU-bound
 * user process competes for the CPU. As the rate grows, soft IRQs restart until __do_softirq's
 * limits (10 restarts, 2 ms) hand them to ksoftirqd, which then waits its turn behind the user
 * process. Measured: NET_RX latency (the packet's hard IRQ to the start of its processing), the
 * share of packets processed by ksoftirqd, and the user process's share of the CPU. Two kernels:
 * the current one, and 4.9..6.4 where irq_exit left soft IRQs to ksoftirqd while it was runnable.
 */
public final class SoftirqStorm extends Experiment {
    static final List<Integer> RATES = List.of(1_000, 5_000, 10_000, 20_000, 40_000, 60_000, 80_000, 100_000);
    static final List<Boolean> DEFER = List.of(false, true);
    static final long UNTIL_NS = ms(200);
    static final long PER_PACKET_NS = us(8);
    static final String RX = "rx";
    static final String METRIC = "net_rx";

    record Cell(boolean defer, int rate) {
    }

    public SoftirqStorm() {
        super("softirq-storm", "NET_RX latency, share handled by ksoftirqd and a competing process's CPU share"
                + " vs the IRQ rate", 3, cells().size());
    }

    static List<Cell> cells() {
        List<Cell> cells = new ArrayList<>();
        for (boolean d : DEFER) {
            for (int r : RATES) {
                cells.add(new Cell(d, r));
            }
        }
        return cells;
    }

    static String kernel(boolean defer) {
        return defer ? "4.9-6.4 (defer to ksoftirqd)" : "current";
    }

    @Override
    Sweep.Plan<Cell> plan() {
        return new Sweep.Plan<>(cells(), SoftirqStorm::machine);
    }

    @Override
    public Result run(Sweep sweep) {
        List<Sweep.Point<Cell>> points = sweep.run(plan());
        ResultTable table = new ResultTable(List.of("kernel", "irqs per s", "net_rx median us", "net_rx p99 us",
                "net_rx max us", "p99 band us", "ksoftirqd share %", "user cpu share %", "user slowdown x", "packets"));
        Map<String, List<LatencyFigure.Line>> lines = new LinkedHashMap<>();
        List<String> findings = new ArrayList<>();
        double[] x = RATES.stream().mapToDouble(r -> r / 1000.0).toArray();
        for (boolean d : DEFER) {
            List<Sweep.Point<Cell>> mine = points.stream().filter(p -> p.cell().defer() == d).toList();
            for (Sweep.Point<Cell> p : mine) {
                Sweep.Band p99 = p.band("p99");
                double user = p.band("user").median();
                table.add(kernel(d), p.cell().rate(), p.band("median").median(), p99.median(), p.band("max").max(),
                        p99.range(), p.band("ksoftirqd").median(),
                        user, user > 0 ? 100.0 / user : Double.NaN, (long) p.band("samples").median());
            }
            for (String metric : List.of("median", "p99", "ksoftirqd", "user")) {
                lines.computeIfAbsent(metric, k -> new ArrayList<>()).add(LatencyFigure.Line.of(kernel(d), x, mine, metric));
            }
            findings.add(verdict(kernel(d), lines.get("p99").get(lines.get("p99").size() - 1).median(),
                    lines.get("ksoftirqd").get(lines.get("ksoftirqd").size() - 1).median(),
                    lines.get("user").get(lines.get("user").size() - 1).median()));
        }
        String rate = "NIC IRQs per second (thousands)";
        List<LatencyFigure.Panel> panels = List.of(
                new LatencyFigure.Panel("NET_RX latency, median", rate, "hard IRQ -> NET_RX processing (us)", true,
                        lines.get("median")),
                new LatencyFigure.Panel("NET_RX latency, 99th percentile", rate, "hard IRQ -> NET_RX processing (us)", true,
                        lines.get("p99")),
                new LatencyFigure.Panel("packets processed by ksoftirqd", rate, "share of packets (%)", false,
                        lines.get("ksoftirqd")),
                new LatencyFigure.Panel("the competing user process", rate, "its share of the CPU (%)", false,
                        lines.get("user")));
        return new Result(table, new LatencyFigure(panels, 2), findings);
    }

    /**
     * The hand-off of DESIGN.md, tested: ksoftirqd takes over part of the packets as the rate grows
     * (from under 1% to at least 10%), and the latency tail grows with it.
     */
    static String verdict(String kernel, double[] p99Us, double[] ksoftirqdPercent, double[] userPercent) {
        double low = ksoftirqdPercent[0];
        double high = ksoftirqdPercent[ksoftirqdPercent.length - 1];
        boolean handoff = low < 1 && high >= 10;
        boolean grows = Shape.grows(p99Us);
        return kernel + ": ksoftirqd processes " + ResultTable.cell(low) + "% of the packets at the lowest rate and "
                + ResultTable.cell(high) + "% at the highest; the NET_RX p99 latency " + Shape.describe(p99Us) + " ("
                + ResultTable.cell(p99Us[0]) + " -> " + ResultTable.cell(p99Us[p99Us.length - 1])
                + " us); the user process keeps " + ResultTable.cell(userPercent[userPercent.length - 1])
                + "% of the CPU at the highest rate" + (handoff && grows ? " -> the hand-off to ksoftirqd and its cost show"
                : " -> the expected hand-off does NOT show");
    }

    static Sweep.Run machine(Cell cell, long seed) {
        Probe probe = new Probe();
        MachineSpec spec = MachineSpec.builder().name("softirq-storm").cpus(1).seed(seed).softirqDeferToKsoftirqd(cell.defer())
                .boot(Probe.class, () -> probe)
                .irq("nic", 11, List.of(0), new Arrivals.Rate(cell.rate(), -1, 0),
                        Program.builder().op(new Probe.Stamp(RX)).compute(us(1)).raiseSoftirq(SoftirqVector.NET_RX).build())
                .softirq(SoftirqVector.NET_RX, Program.of(new Poll()))
                .process("cruncher", 0, 0, Program.builder().compute(ms(100)).forever().build())
                .build();
        return new Sweep.Run(spec, UNTIL_NS, r -> {
            Map<String, Double> m = new LinkedHashMap<>(Experiment.latencyUs(probe.histogram(METRIC)));
            double packets = m.get("samples");
            m.put("ksoftirqd", packets == 0 ? 0 : 100.0 * probe.count("ksoftirqd") / packets);
            m.put("user", 100.0 * r.cpuStats().get(0).timeAt(ContextLevel.USER) / r.endNs());
            return m;
        });
    }

    /** NET_RX's poll: every queued packet is processed now, at PER_PACKET_NS each; who runs it is counted. */
    record Poll() implements Op {
        public Outcome execute(Exec x) {
            Probe p = Probe.of(x);
            ArrayDeque<Long> rx = p.queue(RX);
            int n = rx.size();
            while (!rx.isEmpty()) {
                p.record(METRIC, x.now() - rx.poll());
            }
            if (x.comm().startsWith("ksoftirqd/")) {
                p.count("ksoftirqd", n);
            }
            return n == 0 ? Outcome.Next.INSTANCE : new Outcome.Busy(n * PER_PACKET_NS);
        }

        public String describe() {
            return "net_rx_action: poll the rx queue";
        }
    }
}
