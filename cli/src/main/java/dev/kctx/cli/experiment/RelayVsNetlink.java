package dev.kctx.cli.experiment;

import dev.kctx.actors.Arrivals;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects.LockType;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Ops.SpinVariant;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.actors.sched.SchedAttr;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.netlink.NetlinkOps;
import dev.kctx.mechanisms.netlink.NetlinkUser;
import dev.kctx.mechanisms.netlink.NlMsg;
import dev.kctx.mechanisms.user.Sys;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;

/**
 * The seed's central claim, measured: data between a user process and the code of a periodic
 * device interrupt, through a kernel-thread relay or through netlink with its kernel side in soft
 * IRQ, with 0..16 CPU-bound processes as load on a 1-CPU and a 2-CPU machine.
 *
 * <p>Both designs share a buffer the IRQ handler reads and writes under {@code spin_lock(buf)}.
 * <b>to-irq</b>: the user works 0..500 us, sleeps 1 ms and sends, over and over; the relay's kernel thread (woken by the user's write)
 * or the netlink input's soft IRQ puts the data in the buffer under {@code spin_lock_irqsave}; the
 * IRQ (every 250 us) sees it. <b>from-irq</b>: the IRQ (Poisson, 1000 per second) puts data in the buffer and
 * wakes the relay thread, which hands it to the user's blocking read; or it raises NET_RX, whose
 * handler takes the data and sends it with {@code netlink_unicast(MSG_DONTWAIT)} to the user's
 * blocking recvmsg. The IRQ, the user, and the relay thread run on CPU 0; load process i runs on
 * CPU i mod CPUs and starts at a seeded instant within the first 4 ms.
 */
public final class RelayVsNetlink extends Experiment {
    static final List<Integer> LOADS = List.of(0, 1, 2, 4, 8, 16);
    static final List<Integer> CPUS = List.of(1, 2);
    /** The relay's kthread as a fair thread (nice 0, what kthread_run gives) and at SCHED_FIFO 50 (sched_set_fifo). */
    static final List<String> DESIGNS = List.of("relay", "relay-fifo", "netlink");
    static final List<String> RELAYS = List.of("relay", "relay-fifo");
    static final List<String> DIRECTIONS = List.of("to-irq", "from-irq");
    static final long UNTIL_NS = ms(400);
    /** The netlink family of the model's driver (a free protocol number). */
    static final int UNIT = 30;
    static final int PORT = 4242;
    static final String BUF = "buf";
    static final String METRIC = "latency";
    /** How long the data took to reach the kernel-side agent (relayd, or the soft IRQ) that hands it on. */
    static final String KERNEL = "kernel";
    /** to-irq: the device's timer interrupt that looks at the buffer. */
    static final Arrivals POLL = new Arrivals.Every(us(250), -1, us(100));
    /** from-irq: the device's data interrupts, a seeded Poisson stream of 1000 per second. */
    static final Arrivals EVENTS = new Arrivals.Rate(1000, -1, us(500));
    /** to-irq: the user's own work before each message, seeded between 0 and this. */
    static final long APP_WORK_NS = us(500);

    /** One cell of the sweep. */
    record Cell(String design, String direction, int cpus, int load) {
    }

    public RelayVsNetlink() {
        super("relay-vs-netlink", "user <-> IRQ latency through a kernel-thread relay vs netlink in soft IRQ,"
                + " 0..16 CPU-bound processes, 1 and 2 CPUs", 3, cells().size());
    }

    static List<Cell> cells() {
        List<Cell> cells = new ArrayList<>();
        for (String direction : DIRECTIONS) {
            for (int cpus : CPUS) {
                for (String design : DESIGNS) {
                    for (int load : LOADS) {
                        cells.add(new Cell(design, direction, cpus, load));
                    }
                }
            }
        }
        return cells;
    }

    @Override
    Sweep.Plan<Cell> plan() {
        return new Sweep.Plan<>(cells(), RelayVsNetlink::machine);
    }

    @Override
    public Result run(Sweep sweep) {
        List<Sweep.Point<Cell>> points = sweep.run(plan());
        Map<Cell, Sweep.Point<Cell>> byCell = new LinkedHashMap<>();
        points.forEach(p -> byCell.put(p.cell(), p));
        List<String> columns = new ArrayList<>(List.of("direction", "cpus", "load"));
        DESIGNS.forEach(d -> columns.addAll(List.of(d + " median us", d + " max us")));
        RELAYS.forEach(d -> columns.add(d + "/netlink"));
        DESIGNS.forEach(d -> columns.add(d + " band us"));
        DESIGNS.forEach(d -> columns.add(d + " kernel-side us"));
        columns.add("samples");
        ResultTable table = new ResultTable(columns);
        List<LatencyFigure.Panel> panels = new ArrayList<>();
        List<String> findings = new ArrayList<>();
        double[] x = LOADS.stream().mapToDouble(Integer::doubleValue).toArray();
        for (String direction : DIRECTIONS) {
            for (int cpus : CPUS) {
                Map<String, double[]> medians = new LinkedHashMap<>();
                Map<String, double[]> kernelSide = new LinkedHashMap<>();
                List<LatencyFigure.Line> lines = new ArrayList<>();
                for (String design : DESIGNS) {
                    List<Sweep.Point<Cell>> curve = LOADS.stream().map(l -> byCell.get(new Cell(design, direction, cpus, l))).toList();
                    LatencyFigure.Line line = LatencyFigure.Line.of(design, x, curve, "median");
                    medians.put(design, line.median());
                    kernelSide.put(design, LatencyFigure.Line.of(design, x, curve, "kernel").median());
                    lines.add(line);
                }
                for (int load : LOADS) {
                    List<Sweep.Point<Cell>> row = DESIGNS.stream().map(d -> byCell.get(new Cell(d, direction, cpus, load))).toList();
                    double netlink = row.get(DESIGNS.indexOf("netlink")).band("median").median();
                    List<Object> cells = new ArrayList<>(List.of(direction, cpus, load));
                    row.forEach(p -> cells.addAll(List.of(p.band("median").median(), p.band("max").max())));
                    RELAYS.forEach(d -> cells.add(row.get(DESIGNS.indexOf(d)).band("median").median() / netlink));
                    row.forEach(p -> cells.add(p.band("median").range()));
                    row.forEach(p -> cells.add(p.band("kernel").median()));
                    cells.add((long) row.stream().mapToDouble(p -> Arrays.stream(p.values("samples")).sum()).sum());
                    table.add(cells.toArray());
                }
                panels.add(new LatencyFigure.Panel(title(direction) + ", " + cpus + (cpus == 1 ? " CPU" : " CPUs"),
                        "CPU-bound user processes (load)", "latency (us, median over seeds; dashed: min-max)", true, lines));
                findings.add(verdict(direction, cpus, medians) + "; kernel side alone: " + shapes(kernelSide));
            }
        }
        return new Result(table, new LatencyFigure(panels, 2), findings);
    }

    static String title(String direction) {
        return direction.equals("to-irq") ? "user send -> IRQ handler sees data" : "IRQ -> user recv returns";
    }

    /** "relay grows, relay-fifo flat, netlink flat": the shape of each design's curve. */
    static String shapes(Map<String, double[]> curves) {
        List<String> words = new ArrayList<>();
        curves.forEach((design, y) -> words.add(design + " " + Shape.describe(y)));
        return String.join(", ", words);
    }

    /**
     * The seed's claim — a relay's latency grows with load, netlink's stays flat — tested for each
     * relay (fair and SCHED_FIFO) against netlink on one machine and direction.
     */
    static String verdict(String direction, int cpus, Map<String, double[]> medians) {
        boolean flat = Shape.flat(medians.get("netlink"));
        List<String> holds = new ArrayList<>();
        for (String relay : RELAYS) {
            holds.add(relay + (Shape.grows(medians.get(relay)) && flat ? " yes" : " no"));
        }
        return direction + ", " + cpus + " CPU" + (cpus == 1 ? "" : "s") + ": " + shapes(medians)
                + " with load -> the seed's claim (relay grows, netlink flat): " + String.join(", ", holds);
    }

    /** The machine of one cell and seed, with the probe that measures it. */
    static Sweep.Run machine(Cell cell, long seed) {
        Probe probe = new Probe();
        MachineSpec.Builder b = MachineSpec.builder().name("relay-vs-netlink").cpus(cell.cpus()).seed(seed)
                .lock(BUF, LockType.SPINLOCK).boot(Probe.class, () -> probe);
        boolean toIrq = cell.direction().equals("to-irq");
        if (RELAYS.contains(cell.design())) {
            relay(b, toIrq, cell.design().equals("relay-fifo") ? SchedAttr.fifo(50) : SchedAttr.DEFAULT);
        } else {
            netlink(b, toIrq);
        }
        // The load starts at seeded instants within one time slice, so that seeds differ in phase.
        SplittableRandom phase = new SplittableRandom(seed);
        for (int i = 0; i < cell.load(); i++) {
            b.process("load" + i, i % cell.cpus(), phase.nextLong(ms(4)), Program.builder().compute(ms(100)).forever().build());
        }
        return new Sweep.Run(b.build(), UNTIL_NS, r -> {
            Map<String, Double> m = new LinkedHashMap<>(Experiment.latencyUs(probe.histogram(METRIC)));
            m.put("kernel", Experiment.latencyUs(probe.histogram(KERNEL)).get("median"));
            return m;
        });
    }

    /** The IRQ handler that reads the buffer (to-irq) under spin_lock: the data is visible here. */
    private static Program irqReads() {
        return Program.builder().spinLock(BUF).op(new Probe.Arrive(BUF, METRIC, false)).compute(us(2)).spinUnlock(BUF).build();
    }

    /** The IRQ handler that writes the buffer (from-irq); the caller adds the wake-up or the soft IRQ raise. */
    private static Program.Builder irqWrites() {
        return Program.builder().spinLock(BUF).op(new Probe.Stamp(BUF)).compute(us(2)).spinUnlock(BUF);
    }

    private static void relay(MachineSpec.Builder b, boolean toIrq, SchedAttr relayd) {
        if (toIrq) {
            b.irq("dev", 11, List.of(0), POLL, irqReads());
            b.process("app", 0, us(10), Program.builder().computeRandom(0, APP_WORK_NS).nanosleep(ms(1))
                    .syscall("write", s -> s.op(new Probe.Stamp("in")).compute(us(1)).wakeUp("relay_in")).forever().build());
            b.kthread(new MachineSpec.Task("relayd", 0, 0, Program.builder().waitEvent("relay_in").spinLock(BUF, SpinVariant.IRQSAVE)
                    .op(new Probe.Move("in", BUF, KERNEL)).compute(us(1)).spinUnlock(BUF, SpinVariant.IRQSAVE).forever().build(),
                    0, relayd, List.of()));
        } else {
            b.irq("dev", 11, List.of(0), EVENTS, irqWrites().wakeUp("relay_out").build());
            b.kthread(new MachineSpec.Task("relayd", 0, 0, Program.builder().waitEvent("relay_out").spinLock(BUF, SpinVariant.IRQSAVE)
                    .op(new Probe.Move(BUF, "to_user", KERNEL)).compute(us(1)).spinUnlock(BUF, SpinVariant.IRQSAVE)
                    .wakeUp("relay_user").forever().build(), 0, relayd, List.of()));
            b.process("app", 0, us(10), Program.builder()
                    .syscall("read", s -> s.waitEventInterruptible("relay_user").op(new Probe.Move("to_user", "got")).compute(us(1)))
                    .op(new Probe.Arrive("got", METRIC, true)).forever().build());
        }
    }

    private static void netlink(MachineSpec.Builder b, boolean toIrq) {
        Program.Builder app = Program.builder();
        NetlinkUser.socket("fd", UNIT).forEach(app::op);
        NetlinkUser.bind("fd", toIrq ? 0 : PORT, 0).forEach(app::op);
        if (toIrq) {
            // The input (soft IRQ) queues the stamps the messages carry; the rest of NET_RX puts them in the buffer.
            Netlink.Config cfg = Netlink.Config.of(in -> in.messages().forEach(m ->
                    Probe.of(in.exec()).queue("in").add(Long.parseLong(m.text())))).inSoftirq(SoftirqVector.NET_RX);
            b.boot(Netlink.class, () -> {
                Netlink nl = new Netlink();
                nl.kernelCreate(null, UNIT, cfg);
                return nl;
            });
            b.softirq(SoftirqVector.NET_RX, Program.builder().op(new NetlinkOps.RunInputs(SoftirqVector.NET_RX))
                    .spinLock(BUF, SpinVariant.IRQSAVE).op(new Probe.Move("in", BUF, KERNEL)).compute(us(1))
                    .spinUnlock(BUF, SpinVariant.IRQSAVE).build());
            b.irq("dev", 11, List.of(0), POLL, irqReads());
            // The message carries the instant it is sent, as the relay's write stamps its data.
            app.loop(-1, l -> {
                l.computeRandom(0, APP_WORK_NS).nanosleep(ms(1));
                NetlinkUser.sendmsg("fd", x -> List.of(NlMsg.ofText(NlMsg.NLMSG_MIN_TYPE, NlMsg.NLM_F_REQUEST, 0, x.pid(),
                        Long.toString(x.now()))), 0, 0, false).forEach(l::op);
            });
        } else {
            b.boot(Netlink.class, () -> {
                Netlink nl = new Netlink();
                nl.kernelCreate(null, UNIT, Netlink.Config.of(null));
                return nl;
            });
            b.irq("dev", 11, List.of(0), EVENTS,
                    irqWrites().raiseSoftirq(SoftirqVector.NET_RX).build());
            b.softirq(SoftirqVector.NET_RX, Program.builder().spinLock(BUF, SpinVariant.IRQSAVE)
                    .op(new Probe.Move(BUF, "out", KERNEL)).spinUnlock(BUF, SpinVariant.IRQSAVE).op(new SendAll()).build());
            app.loop(-1, l -> {
                NetlinkUser.recvmsg("fd", false).forEach(l::op);
                l.op(Sys.act("app", x -> {
                    var got = NetlinkUser.received(Sys.regs(x));
                    if (got != null) {
                        got.msgs().forEach(m -> Probe.of(x).record(METRIC, x.now() - Long.parseLong(m.text())));
                    }
                }));
            });
        }
        b.process("app", 0, us(10), app.build());
    }

    /** NET_RX's sending half: each datagram taken from the buffer goes to the user with netlink_unicast(MSG_DONTWAIT). */
    record SendAll() implements Op {
        public Outcome execute(Exec x) {
            var out = Probe.of(x).queue("out");
            List<Op> sends = new ArrayList<>();
            while (!out.isEmpty()) {
                String stamp = Long.toString(out.poll());
                sends.add(new NetlinkOps.Unicast(UNIT, e -> PORT,
                        e -> NlMsg.ofText(NlMsg.NLMSG_MIN_TYPE, 0, 0, 0, stamp), true, true));
            }
            return sends.isEmpty() ? Outcome.Next.INSTANCE : new Outcome.Inline(sends);
        }

        public String describe() {
            return "netlink_unicast each datagram of the buffer";
        }
    }
}
