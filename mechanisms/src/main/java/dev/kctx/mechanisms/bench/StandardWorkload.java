package dev.kctx.mechanisms.bench;

import dev.kctx.actors.Arrivals;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.actors.sched.SchedSettings;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.netlink.NetlinkOps;
import dev.kctx.mechanisms.netlink.NetlinkUser;
import dev.kctx.mechanisms.netlink.NlMsg;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;

/**
 * The standard workload of the performance measurements: a NIC interrupts periodically, its hard
 * IRQ handler queues a packet and raises NET_RX, and the soft IRQ turns every queued packet into a
 * netlink message (the real {@link Netlink} unicast, non-blocking, GFP_ATOMIC) for one of the
 * consumers, taken in turn. Each consumer blocks in recvmsg and works a little per message; the
 * CPU-bound processes compute forever. Every process is pinned to its CPU and scheduled by the
 * fair class (EEVDF): a woken consumer preempts the CPU-bound process running there, and the
 * scheduler tick takes the CPU from a process that has used its slice.
 *
 * <p><b>What an event is.</b> The unit of throughput is one entry taken from the machine's calendar
 * ({@code RunResult.events()}): an IRQ arrival, the end of a step's cost (a {@code StepDone}, also
 * when a preemption has made it stale), a wake-up, a task's arrival, a scheduler tick (also a stale
 * one, and one that finds its CPU idle). Work that takes no virtual time (operations inside a
 * burst, trace records) is not an event. The same count is what the baseline in the bench module
 * reproduces.
 *
 * <p>With the defaults (4 CPUs, 16 consumers, 16 CPU-bound processes, an IRQ every 50 µs, the
 * kernel's 2.25 ms base slice for 4 CPUs, HZ 250) a virtual second holds 20 000 packets and about
 * 159 000 events.
 */
public final class StandardWorkload {
    /** The netlink family the NIC driver delivers on (a free unit, as a driver would pick). */
    public static final int NETLINK_NIC = 25;
    /** Port id of consumer 0; consumer i binds {@code PORT0 + i}. */
    public static final int PORT0 = 5000;
    /** The NIC's interrupt line. */
    public static final int IRQ_LINE = 11;
    /** Hard IRQ handler: acknowledge the device, queue the packet. */
    public static final long HARDIRQ_NS = us(2);
    /** NET_RX per packet besides the send: protocol processing. */
    public static final long PER_PACKET_NS = us(5);
    /** A consumer's user-mode work per message. */
    public static final long CONSUME_NS = us(3);
    /** How long a CPU-bound process computes before it loops (far longer than a slice or a tick). */
    public static final long HOG_STEP_NS = ms(100);

    /**
     * The workload's parameters: {@code cpus}, {@code consumers} blocked in recvmsg, {@code hogs}
     * CPU-bound processes, the NIC's IRQ period, the fair class's base slice (EEVDF's request
     * size, sysctl_sched_base_slice: the machine's {@code baseSlice}) and the seed.
     */
    public record Params(int cpus, int consumers, int hogs, long irqPeriodNs, long sliceNs, long seed) {
        public Params {
            if (cpus < 1 || consumers < 1 || hogs < 0 || irqPeriodNs <= 0 || sliceNs <= 0) {
                throw new IllegalArgumentException("a workload needs a CPU, a consumer, and positive period and slice");
            }
        }

        /** The workload: 4 CPUs, 16 consumers, 16 CPU-bound processes, the default base slice for 4 CPUs (2.25 ms). */
        public static Params standard() {
            return new Params(4, 16, 16, us(50), SchedSettings.defaultBaseSlice(4), 1);
        }

        /**
         * For scaling: {@code processes} user processes in all, of which min(16, processes / 2)
         * consumers and the rest CPU-bound, with the default base slice for {@code cpus}.
         */
        public static Params scaled(int cpus, int processes) {
            int consumers = Math.max(1, Math.min(16, processes / 2));
            return new Params(cpus, consumers, processes - consumers, us(50), SchedSettings.defaultBaseSlice(cpus), 1);
        }

        public Params withCpus(int n) {
            return new Params(n, consumers, hogs, irqPeriodNs, sliceNs, seed);
        }

        public int processes() {
            return consumers + hogs;
        }

        /** The CPU consumer {@code i} runs on (consumers first, then the CPU-bound processes, in turn). */
        public int consumerCpu(int i) {
            return i % cpus;
        }

        public int hogCpu(int i) {
            return i % cpus;
        }
    }

    private StandardWorkload() {
    }

    public static MachineSpec spec() {
        return spec(Params.standard());
    }

    public static MachineSpec spec(Params p) {
        return spec(p, n -> { });
    }

    /** The workload with {@code p}; {@code booted} hears of each run's netlink state (to read its counters). */
    public static MachineSpec spec(Params p, Consumer<Netlink> booted) {
        MachineSpec.Builder b = MachineSpec.builder().name("standard-workload").cpus(p.cpus()).seed(p.seed())
                .baseSlice(p.sliceNs())
                // nowatchdog and no khungtaskd: the baseline takes exactly the engine's events, and
                // the detectors' few events (0.35 per CPU and second) would be the only ones it lacks
                .watchdogs(MachineSpec.Watchdogs.DEFAULT.withEnabled(false).withHungTask(0, 0))
                .boot(Netlink.class, () -> {
                    Netlink n = netlinkWithNicFamily();
                    booted.accept(n);
                    return n;
                })
                .irq("nic", IRQ_LINE, IntStream.range(0, p.cpus()).boxed().toList(), new Arrivals.Every(p.irqPeriodNs(), -1, p.irqPeriodNs()),
                        Program.builder().compute(HARDIRQ_NS).op(new NicReceive()).raiseSoftirq(SoftirqVector.NET_RX).build())
                .softirq(SoftirqVector.NET_RX, Program.of(new NetRxPoll(p.consumers())));
        for (int i = 0; i < p.consumers(); i++) {
            b.process("consumer" + i, p.consumerCpu(i), 0, consumer(PORT0 + i));
        }
        for (int i = 0; i < p.hogs(); i++) {
            b.process("hog" + i, p.hogCpu(i), 0, Program.builder().compute(HOG_STEP_NS).forever().build());
        }
        return b.build();
    }

    /** The driver's family exists from boot (built in, no module to load). */
    private static Netlink netlinkWithNicFamily() {
        Netlink n = new Netlink();
        if (n.kernelCreate(null, NETLINK_NIC, Netlink.Config.of(null)) == null) {
            throw new IllegalStateException("netlink unit " + NETLINK_NIC + " is taken");
        }
        return n;
    }

    /** A consumer: its socket bound to {@code port}, then recvmsg and {@link #CONSUME_NS} of work, forever. */
    static Program consumer(int port) {
        List<Op> ops = new ArrayList<>(NetlinkUser.socket("fd", NETLINK_NIC));
        ops.addAll(NetlinkUser.bind("fd", port, 0));
        List<Op> loop = new ArrayList<>(NetlinkUser.recvmsg("fd", false));
        loop.add(new Ops.Compute(CONSUME_NS));
        ops.add(new Ops.Loop(-1, loop));
        return new Program(ops, 1);
    }

    /** The NIC's receive ring: packets the hard IRQ queued that NET_RX has not taken yet. */
    static final class Ring {
        long queued;
        long next;
    }

    /** The hard IRQ's part: one packet into the ring. */
    record NicReceive() implements Op {
        public Outcome execute(Exec x) {
            x.kernel().extension(Ring.class, Ring::new).queued++;
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "napi_gro_receive";
        }
    }

    /**
     * NET_RX: every packet in the ring becomes a netlink message to the next consumer in turn. The
     * two operations a packet costs (its processing, then the unicast to its consumer's port) are
     * made once per consumer, not per packet: operations are immutable, and a program runs the same
     * objects again and again anyway.
     */
    static final class NetRxPoll implements Op {
        private final int consumers;
        /** Per consumer: the compute of a packet, then the unicast to that consumer's port. */
        private final List<List<Op>> perPacket;

        NetRxPoll(int consumers) {
            if (consumers < 1) {
                throw new IllegalArgumentException("at least one consumer, not " + consumers);
            }
            this.consumers = consumers;
            Op compute = new Ops.Compute(PER_PACKET_NS);
            List<List<Op>> ops = new ArrayList<>(consumers);
            for (int i = 0; i < consumers; i++) {
                int port = PORT0 + i;
                ops.add(List.of(compute, new NetlinkOps.Unicast(NETLINK_NIC, e -> port,
                        e -> NlMsg.ofText(NlMsg.NLMSG_MIN_TYPE, 0, 0, 0, "packet"), true, true)));
            }
            this.perPacket = List.copyOf(ops);
        }

        int consumers() {
            return consumers;
        }

        public Outcome execute(Exec x) {
            Ring ring = x.kernel().extension(Ring.class, Ring::new);
            if (ring.queued == 0) {
                return Outcome.Next.INSTANCE;
            }
            if (ring.queued == 1) {
                // the usual case: one packet since the last poll
                ring.queued = 0;
                return new Outcome.Inline(perPacket.get((int) (ring.next++ % consumers)));
            }
            List<Op> ops = new ArrayList<>((int) Math.min(2 * ring.queued, 1 << 16));
            for (; ring.queued > 0; ring.queued--) {
                ops.addAll(perPacket.get((int) (ring.next++ % consumers)));
            }
            return new Outcome.Inline(ops);
        }

        public String describe() {
            return "net_rx_action";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NetRxPoll n && n.consumers == consumers;
        }

        @Override
        public int hashCode() {
            return consumers;
        }

        @Override
        public String toString() {
            return "NetRxPoll[consumers=" + consumers + "]";
        }
    }
}
