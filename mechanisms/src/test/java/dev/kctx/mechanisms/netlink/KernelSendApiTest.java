package dev.kctx.mechanisms.netlink;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.NetMachine;
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
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Java API of kernel-side sends: {@link Netlink#prefill} (how full a socket starts) and the
 * return values {@link NetlinkOps.Result} hands to the caller (af_netlink.c netlink_unicast,
 * netlink_attachskb, netlink_broadcast_filtered).
 */
class KernelSendApiTest {
    static final ActorTestKit testKit = ActorTestKit.create();
    static final int UNIT = SoftirqDeliveryTest.NETLINK_NIC;
    static final int PORT = SoftirqDeliveryTest.CONSUMER;

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static NlMsg text(String t) {
        return NlMsg.ofText(NlMsg.NLMSG_MIN_TYPE, 0, 0, 0, t);
    }

    /**
     * A reader: SO_RCVBUF 1, filled with {@code fill} (printing how many fit, then what a second fill
     * adds), 3 ms unread, then 5 MSG_DONTWAIT reads, then open and unread to the end.
     */
    static Program reader(int fill) {
        List<Op> ops = new ArrayList<>();
        ops.add(Shell.command("insmod nlnic.ko"));
        ops.addAll(NetlinkUser.socket("fd", UNIT));
        ops.addAll(NetlinkUser.bind("fd", 0, 0));
        ops.addAll(NetlinkUser.setsockopt("fd", Option.SO_RCVBUF, 1));
        ops.add(Sys.act("fill", x -> {
            Netlink nl = Netlink.get(x.kernel());
            x.console("filled " + nl.prefill(x, UNIT, x.pid(), fill, i -> text("backlog " + i)));
            x.console("then " + nl.prefill(x, UNIT, x.pid(), 5, i -> text("more " + i)));
        }));
        ops.addAll(Sys.nanosleep(ms(3)));
        for (int i = 0; i < 5; i++) {
            ops.addAll(NetlinkUser.recvmsg("fd", true));
            ops.add(Sys.act("read", x -> {
                Regs r = Sys.regs(x);
                x.console(r.failed() ? "recv: " + r.errno.name() : "got " + NetlinkUser.received(r).msgs().get(0).text());
            }));
        }
        ops.addAll(Sys.nanosleep(ms(10)));   // the socket stays open to the end of the run
        return new Program(ops, 1);
    }

    static Op unicast(int port, boolean nonblock, String t) {
        return new NetlinkOps.Unicast(UNIT, x -> port, x -> text(t), nonblock, true, (x, ret) -> x.console(t + " = " + ret));
    }

    static RunResult run(NetMachine m, int fill, Program sender) {
        MachineSpec spec = m.builder(List.of(SoftirqDeliveryTest.nicModule()), Map.of())
                .process("reader", 0, 0, reader(fill), PORT)
                .kthread("sender", 0, 0, sender)
                .build();
        return m.run(testKit, spec, ms(10));
    }

    @Test
    @DisplayName("prefill(-1) queues until the buffer is over SO_RCVBUF, never overruns the socket; a later prefill adds nothing; a MSG_DONTWAIT send then gets -EAGAIN and the reader one ENOBUFS, a send after the reads its length")
    void prefillFullThenNonblock() {
        NetMachine m = new NetMachine();
        Program sender = Program.builder().msleep(ms(1)).op(unicast(PORT, true, "early")).msleep(ms(4))
                .op(unicast(PORT, true, "late")).op(unicast(PORT + 1, true, "nobody")).build();
        RunResult r = run(m, -1, sender);
        assertEquals(List.of(), r.reports());
        int late = NlMsg.length(List.of(text("late")));
        assertEquals(List.of("filled 3", "then 0", "early = -11", "recv: ENOBUFS", "got backlog 1", "got backlog 2",
                "got backlog 3", "recv: EAGAIN", "late = " + late, "nobody = -111"), r.console().stream()
                .filter(l -> !l.startsWith("#")).toList());
        MechanismSnapshot s = m.netlink().netlinkSnapshot();
        assertEquals(6, s.sent(), "3 to fill, early, late, nobody: " + s.line());
        assertEquals(s.sent(), s.delivered() + s.droppedTotal() + s.inFlight(), "conservation: " + s.line());
        assertEquals(3, s.delivered(), s.line());
        assertEquals(1, s.inFlight(), "'late' is still queued: " + s.line());
        assertEquals(Map.of(dev.kctx.mechanisms.Errno.ENOBUFS, 1L, dev.kctx.mechanisms.Errno.ECONNREFUSED, 1L), s.dropped(), s.line());
    }

    @Test
    @DisplayName("prefill(2) queues exactly two; a blocking send from a kernel thread to a full socket waits for the reads and then returns its length")
    void prefillCountAndBlockingWait() {
        NetMachine m = new NetMachine();
        // 2 + 1 (the second prefill stops once over SO_RCVBUF) fill it; 'blocked' waits until the reader drains it
        Program sender = Program.builder().msleep(ms(1)).op(unicast(PORT, false, "blocked")).build();
        RunResult r = run(m, 2, sender);
        assertEquals(List.of(), r.reports());
        int len = NlMsg.length(List.of(text("blocked")));
        List<String> lines = r.console().stream().filter(l -> !l.startsWith("#")).toList();
        assertEquals(List.of("filled 2", "then 1", "got backlog 1", "got backlog 2", "got more 1"), lines.subList(0, 5), lines.toString());
        assertEquals(true, lines.contains("blocked = " + len), "the blocked send returned once there was room: " + lines);
        MechanismSnapshot s = m.netlink().netlinkSnapshot();
        assertEquals(0, s.droppedTotal(), "a blocking send in process context drops nothing: " + s.line());
    }
}
