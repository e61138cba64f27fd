package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.Arrivals;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.netlink.NetlinkOps;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Option;
import dev.kctx.mechanisms.netlink.NetlinkUser;
import dev.kctx.mechanisms.netlink.NlMsg;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.sock.NetCounters;
import dev.kctx.mechanisms.sock.SocketSnapshot;
import dev.kctx.mechanisms.udp.Udp;
import dev.kctx.mechanisms.udp.UdpUser;
import dev.kctx.mechanisms.shell.Shell;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The counters' law, sent = delivered + dropped + in flight, checked at every step of an auditor
 * kernel thread through a seeded random workload: processes sending to each other on netlink and
 * UDP with tiny buffers (unicast, multicast, unknown ports, closes with messages queued), a NIC
 * soft IRQ and a kernel thread sending kernel-to-user.
 */
class ConservationTest {
    static final ActorTestKit testKit = ActorTestKit.create();
    static final int FAMILY = 25;
    static final int PROCS = 4;
    static final int PID0 = 4600;

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** Every 10 us: each mechanism's law and the per-socket sums; a violation goes to the kernel log. */
    record Audit() implements Op {
        public Outcome execute(Exec x) {
            for (MechanismSnapshot s : NetCounters.get(x.kernel()).snapshot()) {
                String bad = violation(s);
                if (bad != null) {
                    x.printk("VIOLATION at " + x.now() + ": " + bad);
                }
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "audit";
        }
    }

    static String violation(MechanismSnapshot s) {
        if (!s.conserved()) {
            return s.line();
        }
        long sent = s.sockets().stream().mapToLong(SocketSnapshot::sent).sum();
        long delivered = s.sockets().stream().mapToLong(SocketSnapshot::delivered).sum();
        long queued = s.sockets().stream().mapToLong(SocketSnapshot::queued).sum();
        long dropped = s.sockets().stream().mapToLong(SocketSnapshot::droppedTotal).sum();
        if (sent != s.sent() || delivered != s.delivered() || queued != s.inFlight() || dropped > s.droppedTotal()) {
            return "socket sums differ: " + s.text();
        }
        return null;
    }

    static byte[] b(String t) {
        return t.getBytes(StandardCharsets.UTF_8);
    }

    /** One random action of process {@code i}. */
    static List<Op> action(int i, SplittableRandom rnd) {
        int peer = PID0 + rnd.nextInt(PROCS + 1);
        return switch (rnd.nextInt(8)) {
            case 0 -> NetlinkUser.sendmsg("nl", x -> List.of(NlMsg.ofText(0x10, 0, 0, x.pid(), "to " + peer)), peer, 0, true);
            case 1 -> NetlinkUser.sendmsg("nl", x -> List.of(NlMsg.ofText(0x10, 0, 0, x.pid(), "group")), 0, 1, true);
            case 2, 3 -> NetlinkUser.recvmsg(rnd.nextBoolean() ? "nl" : "k", true);
            case 4 -> UdpUser.sendto("u", Udp.LOOPBACK, 7000 + rnd.nextInt(PROCS + 1), x -> b("d"));
            case 5 -> UdpUser.recvfrom("u", true);
            case 6 -> List.of(new Ops.Compute(us(1 + rnd.nextInt(40))));
            default -> rnd.nextInt(10) == 0 ? reopen(i) : List.of(new Ops.Compute(us(3)));
        };
    }

    /** Closes the netlink socket with whatever is queued and opens a new one on the same port. */
    static List<Op> reopen(int i) {
        return Progs.ops(NetlinkUser.close("nl"), NetlinkUser.socket("nl", Netlink.NETLINK_USERSOCK),
                NetlinkUser.bind("nl", PID0 + i, 1), NetlinkUser.setsockopt("nl", Option.SO_RCVBUF, 1));
    }

    static Program process(int i, long seed) {
        List<Op> ops = new ArrayList<>(Progs.ops(
                NetlinkUser.socket("nl", Netlink.NETLINK_USERSOCK), NetlinkUser.bind("nl", PID0 + i, 1),
                NetlinkUser.setsockopt("nl", Option.SO_RCVBUF, 1 + (int) (seed % 3000)),
                NetlinkUser.socket("k", FAMILY), NetlinkUser.bind("k", 0, 0),
                UdpUser.socket("u"), UdpUser.bind("u", Udp.LOOPBACK, 7000 + i), UdpUser.setRcvbuf("u", 1 + (int) (seed % 2000))));
        SplittableRandom rnd = new SplittableRandom(seed * 31 + i);
        for (int k = 0; k < 150; k++) {
            ops.addAll(action(i, rnd));
        }
        return new Program(ops, 1);
    }

    static MachineSpec spec(NetMachine m, long seed) {
        ModuleDef mod = new ModuleDef("cons", List.of(), c -> Netlink.get(c.ctx().kernel()).kernelCreate(c, FAMILY,
                Netlink.Config.of(in -> { })) == null ? -12 : 0, null);
        SplittableRandom rnd = new SplittableRandom(seed);
        Op kernelSend = new NetlinkOps.Unicast(FAMILY, x -> PID0 + x.random().nextInt(PROCS),
                x -> NlMsg.ofText(0x10, 0, 0, 0, "k"), true, true);
        MachineSpec.Builder b = m.builder(List.of(mod), Map.of()).cpus(2).seed(seed)
                .kthread("auditor", 1, 0, Program.builder().forever().msleep(us(10)).op(new Audit()).build())
                .process("loader", 0, 0, Program.builder().op(Shell.command("insmod cons.ko")).build(), PID0 - 1)
                .kthread("ksender", 1, us(50), Program.builder().forever().op(kernelSend).msleep(us(5 + rnd.nextInt(30))).build())
                .irq("nic", 11, List.of(0), new Arrivals.Rate(40_000, -1, us(100)),
                        Program.builder().compute(us(1)).raiseSoftirq(SoftirqVector.NET_RX).build())
                .softirq(SoftirqVector.NET_RX, Program.builder().op(kernelSend)
                        .op(new NetlinkOps.Broadcast(FAMILY, 1, x -> NlMsg.ofText(0x10, 0, 0, 0, "b"), true)).build());
        for (int i = 0; i < PROCS; i++) {
            b.process("p" + i, i % 2, ms(1), process(i, seed), PID0 + i);
        }
        return b.build();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    @DisplayName("sent = delivered + dropped + in flight at every audit, for every mechanism, and the sockets add up to their mechanism")
    void lawHolds(long seed) {
        NetMachine m = new NetMachine();
        RunResult r = m.run(testKit, spec(m, seed), ms(8));
        List<String> bad = r.dmesg().stream().filter(l -> l.contains("VIOLATION")).toList();
        assertEquals(List.of(), bad, "no audit found a violation");
        MechanismSnapshot nl = m.netlink().netlinkSnapshot();
        MechanismSnapshot udp = m.udp().snapshot();
        assertEquals(null, violation(nl), "netlink at the end");
        assertEquals(null, violation(udp), "udp at the end");
        assertTrue(nl.sent() > 500 && nl.droppedTotal() > 0 && nl.delivered() > 0, "the workload exercised netlink: " + nl.line());
        assertTrue(udp.sent() > 50 && udp.droppedTotal() > 0 && udp.delivered() > 0, "and udp: " + udp.line());
        assertTrue(nl.dropped().keySet().containsAll(List.of(dev.kctx.mechanisms.Errno.ENOBUFS, dev.kctx.mechanisms.Errno.EAGAIN,
                dev.kctx.mechanisms.Errno.ECONNREFUSED)), "every kind of netlink drop happened: " + nl.line());
        assertEquals(List.of(), r.reports(), "no report: every send in atomic context was non-blocking");
    }
}
