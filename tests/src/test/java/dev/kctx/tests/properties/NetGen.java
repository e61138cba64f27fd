package dev.kctx.tests.properties;

import dev.kctx.actors.Arrivals;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.genetlink.GenlProtocol;
import dev.kctx.mechanisms.genetlink.GenlUser;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.netlink.NetlinkOps;
import dev.kctx.mechanisms.netlink.NetlinkProtocol;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Option;
import dev.kctx.mechanisms.netlink.NetlinkUser;
import dev.kctx.mechanisms.netlink.NlMsg;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.sock.NetCounters;
import dev.kctx.mechanisms.udp.Udp;
import dev.kctx.mechanisms.udp.UdpProtocol;
import dev.kctx.mechanisms.udp.UdpUser;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.shell.Shell;
import dev.kctx.mechanisms.user.Sys;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;

/**
 * Generated machines with socket traffic: processes that send to each other on netlink (unicast to
 * live and dead ports, blocking and not, multicast) and UDP, ask generic netlink's controller for a
 * family, and read their sockets fast, slowly, blocking, not at all, or until they stop; a NIC soft
 * IRQ and a kernel thread sending kernel-to-user (non-blocking GFP_ATOMIC from the soft IRQ,
 * blocking from the thread); receive buffers from the minimum up. All traffic ends well before the
 * run does, so that at the end every task is finished or blocked inside a call.
 */
final class NetGen {
    static final int FAMILY = 25;
    static final int PID0 = 4600;
    static final int UDP_PORT0 = 7000;
    static final long START = ms(2);
    static final long UNTIL = ms(30);
    static final long AUDIT_EVERY = us(50);

    /** How a process reads its sockets. */
    enum Reader { FAST, SLOW, STOPS, BLOCKING, NEVER }

    /** What jqwik draws; everything else comes from {@code seed}. */
    record Shape(int cpus, boolean preemptFull, int procs, int actions, boolean kthreadSender, int irqArrivals, long seed) {
    }

    /** One generated machine: its spec, and what the test reads after the run. */
    record Net(Shape shape, MachineSpec spec, String plan, AtomicReference<Netlink> netlink, AtomicReference<Udp> udp,
               AtomicReference<Ledger> ledger) {
        List<MechanismSnapshot> snapshots() {
            return List.of(netlink.get().netlinkSnapshot(), netlink.get().genetlinkSnapshot(), udp.get().snapshot());
        }

        @Override
        public String toString() {
            return shape + "\n" + plan;
        }
    }

    /**
     * The errnos each kind of call may return, as Linux gives them: a non-blocking netlink send to a
     * full queue EAGAIN, to a port nobody holds ECONNREFUSED (a multicast's unicast part goes to
     * port 0, NETLINK_USERSOCK's absent kernel socket); a blocking send never EAGAIN; a receive
     * EAGAIN when empty and non-blocking, ENOBUFS after an overrun; UDP sends on loopback never fail
     * (an unconnected sender hears of no drop); the controller always answers.
     */
    static final Map<String, Set<Errno>> CALL_ERRNOS = Map.ofEntries(
            Map.entry("setup", EnumSet.noneOf(Errno.class)),
            Map.entry("netlink send nonblock", EnumSet.of(Errno.EAGAIN, Errno.ECONNREFUSED)),
            Map.entry("netlink send block", EnumSet.of(Errno.ECONNREFUSED)),
            Map.entry("netlink multicast", EnumSet.of(Errno.ECONNREFUSED)),
            Map.entry("netlink send kernel", EnumSet.noneOf(Errno.class)),
            Map.entry("netlink recv nonblock", EnumSet.of(Errno.EAGAIN, Errno.ENOBUFS)),
            Map.entry("netlink recv block", EnumSet.of(Errno.ENOBUFS)),
            Map.entry("udp send", EnumSet.noneOf(Errno.class)),
            Map.entry("udp recv nonblock", EnumSet.of(Errno.EAGAIN)),
            Map.entry("udp recv block", EnumSet.noneOf(Errno.class)),
            Map.entry("genetlink send", EnumSet.noneOf(Errno.class)),
            Map.entry("genetlink recv nonblock", EnumSet.of(Errno.EAGAIN, Errno.ENOBUFS)),
            Map.entry("genetlink recv block", EnumSet.of(Errno.ENOBUFS)),
            Map.entry("reopen", EnumSet.noneOf(Errno.class)));

    private NetGen() {
    }

    static Arbitrary<Shape> shapes() {
        return Combinators.combine(Arbitraries.integers().between(1, 2), Arbitraries.of(false, true),
                Arbitraries.integers().between(2, 5), Arbitraries.integers().between(5, 60), Arbitraries.of(false, true),
                Arbitraries.integers().between(0, 200), Arbitraries.longs())
                .as(Shape::new);
    }

    static Arbitrary<Net> machines() {
        return shapes().map(NetGen::build);
    }

    static Ledger ledger(Exec x) {
        return x.kernel().extension(Ledger.class, Ledger::new);
    }

    static Net build(Shape shape) {
        AtomicReference<Netlink> netlink = new AtomicReference<>();
        AtomicReference<Udp> udp = new AtomicReference<>();
        AtomicReference<Ledger> ledger = new AtomicReference<>();
        StringBuilder plan = new StringBuilder();
        SplittableRandom rnd = new SplittableRandom(shape.seed());
        ModuleDef mod = new ModuleDef("cons", List.of(), c -> {
            Netlink nl = Netlink.get(c.ctx().kernel());
            Ledger l = c.ctx().kernel().extension(Ledger.class, Ledger::new);
            return nl.kernelCreate(c, FAMILY, Netlink.Config.of(in -> l.kernelInputs++).withGroups(1)) == null ? -12 : 0;
        }, null);
        List<Integer> all = new ArrayList<>();
        for (int c = 0; c < shape.cpus(); c++) {
            all.add(c);
        }
        MachineSpec.Builder b = MachineSpec.builder().name("net-" + Long.toHexString(shape.seed())).cpus(shape.cpus())
                .preempt(shape.preemptFull() ? MachineSpec.Preempt.FULL : MachineSpec.Preempt.NONE).seed(shape.seed())
                .boot(Modules.class, () -> new Modules(List.of(mod)))
                .boot(Netlink.class, () -> keep(netlink, new Netlink()))
                .boot(Udp.class, () -> keep(udp, new Udp()))
                .boot(Ledger.class, () -> keep(ledger, new Ledger()))
                .kthread("auditor", shape.cpus() - 1, 0, Program.builder().repeat(UNTIL / AUDIT_EVERY)
                        .msleep(AUDIT_EVERY).op(new Audit()).build())
                .process("loader", 0, 0, Program.builder().op(Shell.command("insmod cons.ko")).build(), PID0 - 1);
        Op softirqSend = new NetlinkOps.Unicast(FAMILY, x -> PID0 + x.random().nextInt(shape.procs() + 1),
                x -> kernelMessage(x), true, true);
        if (shape.irqArrivals() > 0) {
            double rate = 20_000 + rnd.nextInt(80_000);
            List<Integer> affinity = shape.cpus() == 2 && rnd.nextBoolean() ? all : List.of(0);
            b.irq("nic", 11, affinity, new Arrivals.Rate(rate, shape.irqArrivals(), START),
                    Program.builder().compute(us(1)).raiseSoftirq(SoftirqVector.NET_RX).build());
            b.softirq(SoftirqVector.NET_RX, Program.builder().op(softirqSend)
                    .op(new NetlinkOps.Broadcast(FAMILY, 1, NetGen::kernelMessage, true)).build());
            plan.append("irq nic: ").append(shape.irqArrivals()).append(" arrivals at ").append((long) rate)
                    .append("/s on CPUs ").append(affinity).append(", NET_RX: unicast MSG_DONTWAIT + broadcast group 1, GFP_ATOMIC\n");
        }
        if (shape.kthreadSender()) {
            long gap = us(5 + rnd.nextInt(60));
            int count = 10 + rnd.nextInt(100);
            b.kthread("ksender", rnd.nextInt(shape.cpus()), START, Program.builder().repeat(count)
                    .op(new NetlinkOps.Unicast(FAMILY, x -> PID0 + x.random().nextInt(shape.procs() + 1), NetGen::kernelMessage, false, false))
                    .msleep(gap).build());
            plan.append("kthread ksender: ").append(count).append(" blocking unicasts, GFP_KERNEL, every ").append(gap / 1000).append(" us\n");
        }
        for (int i = 0; i < shape.procs(); i++) {
            b.process("p" + i, rnd.nextInt(shape.cpus()), START, process(shape, i, rnd.split(), plan), PID0 + i);
        }
        return new Net(shape, b.build(), plan.toString(), netlink, udp, ledger);
    }

    private static <T> T keep(AtomicReference<T> ref, T value) {
        ref.set(value);
        return value;
    }

    private static NlMsg kernelMessage(Exec x) {
        Ledger l = ledger(x);
        return NlMsg.ofText(0x10, 0, 0, 0, "k" + l.kernelMade++);
    }

    private static Program process(Shape shape, int i, SplittableRandom rnd, StringBuilder plan) {
        int pid = PID0 + i;
        Reader reader = Reader.values()[rnd.nextInt(Reader.values().length)];
        boolean subscribe = rnd.nextBoolean();
        boolean genl = rnd.nextBoolean();
        int[] bufs = {1, 300, 1500, 4000, 65536};
        int nlBuf = bufs[rnd.nextInt(bufs.length)];
        int kBuf = bufs[rnd.nextInt(bufs.length)];
        int udpBuf = bufs[rnd.nextInt(bufs.length)];
        int stopAt = rnd.nextInt(shape.actions() + 1);
        double blockingSends = rnd.nextInt(3) == 0 ? 0.3 : 0;
        plan.append("p").append(i).append(" pid ").append(pid).append(": reader ").append(reader)
                .append(reader == Reader.STOPS ? " after " + stopAt : "").append(", rcvbuf netlink ").append(nlBuf)
                .append(" kernel family ").append(kBuf).append(" udp ").append(udpBuf).append(subscribe ? ", in group 1" : "")
                .append(genl ? ", genetlink" : "").append(blockingSends > 0 ? ", blocking sends" : "").append('\n');
        List<Op> ops = new ArrayList<>();
        int groups = subscribe ? 1 : 0;
        add(ops, "setup", NetlinkUser.socket("nl", Netlink.NETLINK_USERSOCK), null);
        add(ops, "setup", NetlinkUser.bind("nl", pid, groups), null);
        add(ops, "setup", NetlinkUser.setsockopt("nl", Option.SO_RCVBUF, nlBuf), null);
        add(ops, "setup", NetlinkUser.socket("k", FAMILY), null);
        add(ops, "setup", NetlinkUser.bind("k", 0, groups), null);
        add(ops, "setup", NetlinkUser.setsockopt("k", Option.SO_RCVBUF, kBuf), null);
        add(ops, "setup", UdpUser.socket("u"), null);
        add(ops, "setup", UdpUser.bind("u", Udp.LOOPBACK, UDP_PORT0 + i), null);
        add(ops, "setup", UdpUser.setRcvbuf("u", udpBuf), null);
        if (genl) {
            add(ops, "setup", NetlinkUser.socket("g", Netlink.NETLINK_GENERIC), null);
            add(ops, "setup", NetlinkUser.bind("g", 0, 0), null);
            add(ops, "setup", NetlinkUser.setsockopt("g", Option.SO_RCVBUF, bufs[rnd.nextInt(2)]), null);
        }
        int[] made = {0};
        for (int a = 0; a < shape.actions(); a++) {
            boolean reads = switch (reader) {
                case FAST, BLOCKING -> rnd.nextInt(2) == 0;
                case SLOW -> rnd.nextInt(8) == 0;
                case STOPS -> a < stopAt && rnd.nextInt(2) == 0;
                case NEVER -> false;
            };
            if (reads) {
                boolean block = reader == Reader.BLOCKING && rnd.nextInt(3) == 0;
                String how = block ? " block" : " nonblock";
                switch (rnd.nextInt(genl ? 4 : 3)) {
                    case 0 -> add(ops, "netlink recv" + how, NetlinkUser.recvmsg("nl", !block), received("netlink", pid, "nl"));
                    case 1 -> add(ops, "netlink recv" + how, NetlinkUser.recvmsg("k", !block), received("netlink", pid, "k"));
                    case 2 -> add(ops, "udp recv" + how, UdpUser.recvfrom("u", !block), received("udp", pid, "u"));
                    default -> add(ops, "genetlink recv" + how, NetlinkUser.recvmsg("g", !block), received("genetlink", pid, "g"));
                }
                continue;
            }
            int peer = PID0 + rnd.nextInt(shape.procs() + 1);
            switch (rnd.nextInt(genl ? 8 : 7)) {
                case 0, 1 -> {
                    boolean block = rnd.nextDouble() < blockingSends;
                    add(ops, block ? "netlink send block" : "netlink send nonblock",
                            NetlinkUser.sendmsg("nl", x -> List.of(userMessage(x, made)), peer, 0, !block), null);
                }
                case 2 -> add(ops, "netlink multicast", NetlinkUser.sendmsg("nl", x -> List.of(userMessage(x, made)), 0, 1, true), null);
                case 3 -> add(ops, "netlink send kernel", NetlinkUser.sendmsg("k", x -> List.of(userMessage(x, made)), 0, 0, true), null);
                case 4 -> add(ops, "udp send", UdpUser.sendto("u", Udp.LOOPBACK, UDP_PORT0 + peer - PID0,
                        x -> ("u" + x.pid() + "." + made[0]++).getBytes(StandardCharsets.UTF_8)), null);
                case 5 -> ops.add(new Ops.Compute(us(1 + rnd.nextInt(40))));
                case 6 -> {
                    if (rnd.nextInt(6) == 0) {
                        // close with messages queued (dropped ECONNREFUSED), then the same port again
                        add(ops, "reopen", NetlinkUser.close("nl"), null);
                        add(ops, "reopen", NetlinkUser.socket("nl", Netlink.NETLINK_USERSOCK), null);
                        add(ops, "reopen", NetlinkUser.bind("nl", pid, groups), null);
                        add(ops, "reopen", NetlinkUser.setsockopt("nl", Option.SO_RCVBUF, nlBuf), null);
                    } else {
                        ops.add(new Ops.Compute(us(3)));
                    }
                }
                default -> add(ops, "genetlink send", GenlUser.send("g", made[0]++, x -> new GenlProtocol.GetFamily("nlctrl")), null);
            }
        }
        return new Program(ops, 1);
    }

    private static NlMsg userMessage(Exec x, int[] made) {
        return NlMsg.ofText(0x10, 0, 0, x.pid(), "m" + x.pid() + "." + made[0]++);
    }

    /** The call's operations, then one that writes its outcome (and what it received) to the ledger. */
    private static void add(List<Op> ops, String kind, List<Op> call, Received onSuccess) {
        ops.addAll(call);
        ops.add(Sys.act("ledger", x -> {
            Regs r = Sys.regs(x);
            Ledger l = ledger(x);
            l.outcome(kind, r.failed() ? r.errno : null);
            if (!r.failed() && onSuccess != null) {
                onSuccess.record(x, r, l);
            }
        }));
    }

    /** What a successful receive call adds to the ledger. */
    private interface Received {
        void record(Exec x, Regs r, Ledger l);
    }

    private static Received received(String mechanism, int pid, String var) {
        return (x, r, l) -> {
            l.received(mechanism, pid);
            String who = mechanism + " " + pid + " " + var;
            // Each mechanism's reply variable: another's may hold an earlier call's reply.
            if (mechanism.equals("udp")) {
                l.message(who, ((UdpProtocol.Datagram) r.vars.get(UdpUser.REPLY)).text());
            } else if (mechanism.equals("netlink")) {
                ((NetlinkProtocol.Received) r.vars.get(NetlinkUser.REPLY)).msgs().forEach(m -> l.message(who, m.text()));
            }
        };
    }

    /** Checks every mechanism's counters now; a broken rule goes to the kernel log. */
    private record Audit() implements Op {
        public Outcome execute(Exec x) {
            for (MechanismSnapshot s : NetCounters.get(x.kernel()).snapshot()) {
                ConservationLaw.check(s).forEach(v -> x.printk("VIOLATION at " + x.now() + ": " + v));
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "audit";
        }
    }
}
