package dev.kctx.mechanisms.netlink;

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
import dev.kctx.contexts.ContextLevel;
import dev.kctx.contexts.Report;
import dev.kctx.contexts.ReportKind;
import dev.kctx.contexts.Reports;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.NetMachine;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Option;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.shell.Shell;
import dev.kctx.mechanisms.user.Sys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mission's named check: netlink delivery from soft IRQ never blocks. A NIC interrupt queues
 * a packet and raises NET_RX; the soft IRQ turns each packet into one netlink message for a slow
 * consumer with a small receive buffer.
 */
class SoftirqDeliveryTest {
    static final ActorTestKit testKit = ActorTestKit.create();
    static final int NETLINK_NIC = 17;
    static final int CONSUMER = 4300;
    static final int PACKETS = 20;
    /** What NET_RX does per packet besides the send: protocol processing. */
    static final long PER_PACKET_NS = us(2);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** The NIC's receive ring: packets the hard IRQ queued and NET_RX has not taken yet. */
    static final class Ring {
        long queued;
        long next;
    }

    /** The hard IRQ's part: one packet into the ring. */
    record Receive() implements Op {
        public Outcome execute(Exec x) {
            x.kernel().extension(Ring.class, Ring::new).queued++;
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "napi_gro_receive";
        }
    }

    /** NET_RX: every packet in the ring becomes a netlink message to the consumer. */
    record Poll(boolean nonblock) implements Op {
        public Outcome execute(Exec x) {
            Ring ring = x.kernel().extension(Ring.class, Ring::new);
            List<Op> ops = new ArrayList<>();
            for (; ring.queued > 0; ring.queued--) {
                long n = ++ring.next;
                ops.add(new Ops.Compute(PER_PACKET_NS));
                ops.add(send(nonblock, "packet " + n));
            }
            return ops.isEmpty() ? Outcome.Next.INSTANCE : new Outcome.Inline(ops);
        }

        public String describe() {
            return "net_rx_action";
        }
    }

    static Op send(boolean nonblock, String text) {
        return new NetlinkOps.Unicast(NETLINK_NIC, x -> CONSUMER, x -> NlMsg.ofText(NlMsg.NLMSG_MIN_TYPE, 0, 0, 0, text),
                nonblock, true);
    }

    static ModuleDef nicModule() {
        return new ModuleDef("nlnic", List.of(), m -> Netlink.get(m.ctx().kernel()).kernelCreate(m, NETLINK_NIC,
                Netlink.Config.of(null)) == null ? -12 : 0, null);
    }

    /** The consumer: loads the module, opens its socket with SO_RCVBUF {@code rcvbuf}, then recv + 1 ms of work, forever. */
    static Program consumer(int rcvbuf) {
        List<Op> ops = new ArrayList<>();
        ops.add(Shell.command("insmod nlnic.ko"));
        ops.addAll(NetlinkUser.socket("fd", NETLINK_NIC));
        ops.addAll(NetlinkUser.bind("fd", 0, 0));
        ops.addAll(NetlinkUser.setsockopt("fd", Option.SO_RCVBUF, rcvbuf));
        List<Op> loop = new ArrayList<>(NetlinkUser.recvmsg("fd", false));
        loop.add(Sys.act("consume", x -> {
            Regs r = Sys.regs(x);
            x.console(r.failed() ? "recv: " + r.errno.name() : "got " + NetlinkUser.received(r).msgs().get(0).text());
        }));
        loop.add(new Ops.Compute(ms(1)));
        ops.add(new Ops.Loop(-1, loop));
        return new Program(ops, 1);
    }

    static MachineSpec.Builder machine(NetMachine m, int rcvbuf, Program irq, Program netRx) {
        MachineSpec.Builder b = m.builder(List.of(nicModule()), Map.of())
                .process("consumer", 0, 0, consumer(rcvbuf), CONSUMER)
                .irq("nic", 11, List.of(0), new Arrivals.Every(us(20), PACKETS, ms(2)), irq);
        return netRx == null ? b : b.softirq(SoftirqVector.NET_RX, netRx);
    }

    static Program nicIrq() {
        return Program.builder().compute(us(1)).op(new Receive()).raiseSoftirq(SoftirqVector.NET_RX).build();
    }

    static RunResult run(NetMachine m, int rcvbuf, boolean nonblock) {
        return m.run(testKit, machine(m, rcvbuf, nicIrq(), Program.of(new Poll(nonblock))).build(), ms(10));
    }

    static List<String> consumed(RunResult r) {
        return r.console().stream().filter(l -> l.startsWith("got ") || l.startsWith("recv: ")).toList();
    }

    @Test
    @DisplayName("non-blocking delivery from NET_RX never blocks: no report, constant soft IRQ time per packet, drops counted, one ENOBUFS then the consumer goes on")
    void nonBlockingNeverBlocks() {
        NetMachine small = new NetMachine();
        RunResult r = run(small, 1, true);
        assertEquals(List.of(), r.reports(), "nothing to report");

        MechanismSnapshot s = small.netlink().netlinkSnapshot();
        assertEquals(PACKETS, s.sent(), "one message per packet");
        long dropped = s.dropped().getOrDefault(Errno.ENOBUFS, 0L);
        assertTrue(dropped > 0, "the small buffer overflowed: " + s.line());
        assertEquals(PACKETS, s.delivered() + dropped, "every packet was either read or dropped: " + s.line());
        assertEquals(dropped, small.netlink().kernelSocket(NETLINK_NIC).counters.errorsByErrno().get(Errno.EAGAIN),
                "the soft IRQ got EAGAIN for each drop");

        List<String> got = consumed(r);
        assertEquals(1, got.stream().filter(l -> l.equals("recv: ENOBUFS")).count(), "ENOBUFS exactly once: " + got);
        assertEquals(List.of("got packet 1", "recv: ENOBUFS", "got packet 2", "got packet 3", "got packet 4"), got,
                "the consumer reads the first packet, hears of the overrun, then reads what fitted while it was busy");

        long perPacket = PER_PACKET_NS + Netlink.SEND_NS;
        assertEquals(PACKETS * perPacket, r.totalAt(ContextLevel.SOFTIRQ),
                "soft IRQ time is the same for each packet, delivered or dropped: " + perPacket + "ns");

        NetMachine big = new NetMachine();
        RunResult roomy = run(big, 1 << 20, true);
        assertEquals(PACKETS, big.netlink().netlinkSnapshot().delivered() + big.netlink().netlinkSnapshot().inFlight(),
                "with a large buffer nothing is dropped");
        assertEquals(r.totalAt(ContextLevel.SOFTIRQ), roomy.totalAt(ContextLevel.SOFTIRQ),
                "a dropped packet costs the soft IRQ what a delivered one does");
    }

    @Test
    @DisplayName("a blocking send from NET_RX: scheduling-while-atomic when the queue is full, may-sleep-in-atomic when it found room, one group per call site with its count")
    void blockingSendFromSoftirq() {
        NetMachine m = new NetMachine();
        RunResult r = run(m, 1, false);
        List<Reports.Group> groups = Reports.dedupe(r.reports());
        assertEquals(2, groups.size(), "two kinds at one call site: " + groups);
        Reports.Group maySleep = groups.stream().filter(g -> g.first().kind() == ReportKind.MAY_SLEEP_IN_ATOMIC).findFirst().orElseThrow();
        Reports.Group sched = groups.stream().filter(g -> g.first().kind() == ReportKind.SCHEDULING_WHILE_ATOMIC).findFirst().orElseThrow();
        MechanismSnapshot s = m.netlink().netlinkSnapshot();
        long dropped = s.droppedTotal();
        assertEquals(PACKETS - dropped, maySleep.count(), "may-sleep-in-atomic for each send that found room");
        assertEquals(dropped, sched.count(), "scheduling-while-atomic for each send that would have waited");
        for (Reports.Group g : groups) {
            Report first = g.first();
            assertEquals("softirq NET_RX: netlink_unicast(nl_sk[17], skb, portid, 0)", first.site(), "the call site");
            assertEquals(ContextLevel.SOFTIRQ, first.where().level(), "in soft IRQ context");
        }
        assertTrue(sched.first().title().startsWith("BUG: scheduling while atomic: "), sched.first().title());
        assertEquals(1, consumed(r).stream().filter(l -> l.equals("recv: ENOBUFS")).count(),
                "after the report the model drops as the non-blocking path does: the consumer hears ENOBUFS once");
        assertEquals(PACKETS * (PER_PACKET_NS + Netlink.SEND_NS), r.totalAt(ContextLevel.SOFTIRQ),
                "the soft IRQ never waited: same time as the non-blocking run");
    }

    @Test
    @DisplayName("a blocking send from the hard IRQ handler is reported the same way, in hard IRQ context")
    void blockingSendFromHardirq() {
        NetMachine m = new NetMachine();
        Program irq = Program.builder().compute(us(1)).op(send(false, "packet")).build();
        RunResult r = m.run(testKit, machine(m, 1, irq, null).build(), ms(10));
        List<Reports.Group> groups = Reports.dedupe(r.reports());
        assertEquals(List.of(ReportKind.MAY_SLEEP_IN_ATOMIC, ReportKind.SCHEDULING_WHILE_ATOMIC),
                groups.stream().map(g -> g.first().kind()).toList(), "room first, then a full queue");
        assertEquals("hardirq 11 nic: netlink_unicast(nl_sk[17], skb, portid, 0)", groups.get(0).first().site(), "the call site");
        assertEquals(PACKETS, groups.stream().mapToInt(Reports.Group::count).sum(), "one report per packet");
    }

    @Test
    @DisplayName("the same blocking send from a kernel thread really waits for room: every message arrives, nothing is reported")
    void blockingSendInProcessContextWaits() {
        NetMachine m = new NetMachine();
        Program producer = Program.builder().msleep(ms(1))
                .loop(PACKETS, b -> b.op(send(false, "message"))).build();
        MachineSpec spec = m.builder(List.of(nicModule()), Map.of())
                .process("consumer", 0, 0, consumer(1), CONSUMER)
                .kthread("producer", 0, 0, producer)
                .build();
        RunResult r = m.run(testKit, spec, ms(40));
        assertEquals(List.of(), r.reports(), "waiting in process context is fine");
        MechanismSnapshot s = m.netlink().netlinkSnapshot();
        assertEquals(PACKETS, s.sent(), "all sent");
        assertEquals(0, s.droppedTotal(), "nothing dropped: " + s.line());
        assertEquals(PACKETS, consumed(r).size(), "the consumer read them all: " + consumed(r));
        assertTrue(r.trace().stream().anyMatch(t -> t.event().equals("sched_switch")
                        && t.args().contains("prev_comm=producer") && t.args().contains("prev_state=S")),
                "the producer slept on the consumer's queue");
    }
}
