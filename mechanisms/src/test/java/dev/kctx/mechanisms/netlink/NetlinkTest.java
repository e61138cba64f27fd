package dev.kctx.mechanisms.netlink;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.actors.trace.TraceRecord;
import dev.kctx.contexts.ReportKind;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.NetMachine;
import dev.kctx.mechanisms.Transcripts;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Option;
import dev.kctx.mechanisms.sock.MechanismSnapshot;
import dev.kctx.mechanisms.udp.UdpUser;
import dev.kctx.mechanisms.shell.Shell;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.contexts.Durations.us;
import static dev.kctx.mechanisms.Progs.alive;
import static dev.kctx.mechanisms.Progs.openFile;
import static dev.kctx.mechanisms.Progs.program;
import static dev.kctx.mechanisms.Progs.say;
import static dev.kctx.mechanisms.Progs.setuid;
import static dev.kctx.mechanisms.Progs.show;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Raw netlink: families, ports, unicast both ways, multicast, full queues, and every error the calls give. */
class NetlinkTest {
    static final ActorTestKit testKit = ActorTestKit.create();
    static final int NLTEST = 31;
    static final int NLSOFT = 30;
    static final int NLNOIN = 29;
    static final int T = NlMsg.NLMSG_MIN_TYPE;

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    /** The test family's input: echo, NACK, where-am-I, a GFP_KERNEL allocation, broadcast, unicast to a port. */
    static void input(InputCtx in) {
        in.rcvSkb(m -> {
            String t = m.text();
            if (t.equals("fail")) {
                return Errno.EINVAL.negative();
            } else if (t.equals("where")) {
                in.printk("input in " + in.exec().contextName() + " at " + in.exec().level() + ", current pid " + in.exec().pid());
            } else if (t.equals("alloc")) {
                in.nlmsgNew(16, false);
            } else if (t.startsWith("bcast ")) {
                in.printk("broadcast: " + in.broadcast(1, NlMsg.ofText(T, 0, 0, 0, t.substring(6)), true));
            } else if (t.startsWith("to ")) {
                String[] w = t.split(" ", 3);
                in.printk("unicast to " + w[1] + ": " + in.unicast(Integer.parseUnsignedInt(w[1]), NlMsg.ofText(T, 0, 0, 0, w[2])));
            } else {
                in.unicast(in.portId(), NlMsg.ofText(T, 0, m.seq(), 0, "echo " + t));
            }
            return 0;
        });
    }

    static ModuleDef family(String name, int unit, Netlink.Config cfg) {
        return new ModuleDef(name, List.of(), m -> Netlink.get(m.ctx().kernel()).kernelCreate(m, unit, cfg) == null ? -12 : 0, null);
    }

    static final List<ModuleDef> MODULES = List.of(
            family("nltest", NLTEST, Netlink.Config.of(NetlinkTest::input)),
            family("nlsoft", NLSOFT, Netlink.Config.of(NetlinkTest::input).inSoftirq(SoftirqVector.TASKLET)),
            family("nlnoin", NLNOIN, Netlink.Config.of(null)),
            new ModuleDef("hog", List.of(), NetlinkTest::hog, null),
            family("late", 28, Netlink.Config.of(null)));

    /** Takes every free family, then tries one more. */
    static int hog(dev.kctx.mechanisms.module.ModuleCtx m) {
        Netlink nl = Netlink.get(m.ctx().kernel());
        int created = 0;
        for (int u = 0; u <= Netlink.MAX_LINKS; u++) {
            if (nl.kernelCreate(m, u, Netlink.Config.of(null)) != null) {
                created++;
            }
        }
        int inUse = 0;
        for (int u = 0; u < Netlink.MAX_LINKS; u++) {
            inUse += nl.registered(u) ? 1 : 0;
        }
        m.printk("hog: created " + created + ", " + inUse + " of " + Netlink.MAX_LINKS + " families in use, a 33rd refused");
        return 0;
    }

    static List<Op> sh(String cmd) {
        return List.of(Shell.command(cmd));
    }

    static List<Op> send(String fd, String text, int flags, int seq) {
        return NetlinkUser.sendmsg(fd, x -> List.of(NlMsg.ofText(T, flags, seq, x.pid(), text)), 0, 0, false);
    }

    static List<Op> sendTo(String fd, String text, int port, int groups, boolean dontWait) {
        return NetlinkUser.sendmsg(fd, x -> List.of(NlMsg.ofText(T, NlMsg.NLM_F_REQUEST, 0, x.pid(), text)), port, groups, dontWait);
    }

    static List<Op> recv(String fd, String label) {
        List<Op> ops = new ArrayList<>(NetlinkUser.recvmsg(fd, false));
        ops.add(show(label));
        return ops;
    }

    static List<String> console(RunResult r) {
        return Transcripts.console(r);
    }

    RunResult run(NetMachine m, MachineSpec.Builder b) {
        return m.run(testKit, b.build(), ms(50));
    }

    @Test
    @DisplayName("32 families at most: a module taking every unit it can gets the 18 free ones and a kernel socket on NETLINK_USERSOCK (which has none), a 33rd and any later module fail; sockets of a missing family fail with EPROTONOSUPPORT")
    void maxLinks() {
        NetMachine m = new NetMachine();
        RunResult r = run(m, m.builder(MODULES, Map.of()).process("p", 0, 0, program(
                NetlinkUser.socket("a", 17), show("socket 17"),
                NetlinkUser.socket("b", 32), show("socket 32"),
                NetlinkUser.socket("c", -1), show("socket -1"),
                sh("insmod hog.ko"), sh("insmod late.ko"), sh("dmesg -c"),
                NetlinkUser.socket("d", 17), show("socket 17"), NetlinkUser.close("d"),
                sh("rmmod hog"), sh("insmod late.ko"), sh("lsmod")), 4300));
        assertEquals(List.of(
                "socket 17: EPROTONOSUPPORT",
                "socket 32: EPROTONOSUPPORT",
                "socket -1: EPROTONOSUPPORT",
                "# insmod hog.ko",
                "# insmod late.ko",
                "insmod: ERROR: could not insert module late.ko: Cannot allocate memory",
                "# dmesg -c",
                "hog: created 19, 32 of 32 families in use, a 33rd refused",
                "socket 17: fd 3",
                "# rmmod hog",
                "# insmod late.ko",
                "# lsmod",
                "Module                  Size  Used by",
                "late                   16384  0"), console(r), "the session");
    }

    @Test
    @DisplayName("unicast both ways: the input runs inside the sender's sendmsg; replies, ACKs for NLM_F_ACK, NACKs with the errno, control types and non-requests skipped, ECONNREFUSED for ports nobody holds")
    void unicastBothWays() {
        NetMachine m = new NetMachine();
        RunResult r = run(m, m.builder(MODULES, Map.of()).process("nlc", 0, 0, program(
                sh("insmod nltest.ko"),
                NetlinkUser.socket("fd", NLTEST), show("socket"),
                NetlinkUser.bind("fd", 0, 0), show("bind"),
                send("fd", "hello", NlMsg.NLM_F_REQUEST | NlMsg.NLM_F_ACK, 1), show("send"),
                recv("fd", "recv"), recv("fd", "recv"),
                send("fd", "fail", NlMsg.NLM_F_REQUEST, 2), recv("fd", "recv"),
                send("fd", "hello", NlMsg.NLM_F_ACK, 3), recv("fd", "not a request"),
                NetlinkUser.sendmsg("fd", x -> List.of(NlMsg.ofText(NlMsg.NLMSG_NOOP, NlMsg.NLM_F_REQUEST | NlMsg.NLM_F_ACK, 4,
                        x.pid(), "x")), 0, 0, false), recv("fd", "control type"),
                NetlinkUser.recvmsg("fd", true), show("recv MSG_DONTWAIT"),
                send("fd", "where", NlMsg.NLM_F_REQUEST, 5), say("sendmsg returned"),
                send("fd", "alloc", NlMsg.NLM_F_REQUEST, 6),
                send("fd", "to 999 x", NlMsg.NLM_F_REQUEST, 7),
                sendTo("fd", "x", 999, 0, false), show("send to port 999"),
                sh("insmod nlnoin.ko"),
                NetlinkUser.socket("n", NLNOIN), send("n", "x", NlMsg.NLM_F_REQUEST, 1), show("send to a family without input"),
                sh("dmesg -c")), 4300));
        assertEquals(List.of(
                "# insmod nltest.ko",
                "socket: fd 3",
                "bind: port 4300",
                "send: sent 24",
                "recv: from 0 \"echo hello\"",
                "recv: from 0 ACK(seq 1)",
                "recv: from 0 NLMSG_ERROR EINVAL(seq 2)",
                "not a request: from 0 ACK(seq 3)",
                "control type: from 0 ACK(seq 4)",
                "recv MSG_DONTWAIT: EAGAIN",
                "sendmsg returned",
                "send to port 999: ECONNREFUSED",
                "# insmod nlnoin.ko",
                "send to a family without input: ECONNREFUSED",
                "# dmesg -c",
                "input in process nlc syscall sendmsg at KERNEL, current pid 4300",
                "unicast to 999: -111"), console(r), "the session");
        assertEquals(List.of(), r.reports(), "a GFP_KERNEL allocation in the sender's process context is fine");
        MechanismSnapshot s = m.netlink().netlinkSnapshot();
        assertEquals(Map.of(Errno.ECONNREFUSED, 3L), s.dropped(), "to port 999 both ways, and to a kernel socket without input");
    }

    @Test
    @DisplayName("input: softirq runs the input in the soft IRQ that sendmsg raises and runs before returning, never in ksoftirqd; a GFP_KERNEL allocation there is sleep-in-atomic")
    void softirqInput() {
        NetMachine m = new NetMachine();
        RunResult r = run(m, m.builder(MODULES, Map.of()).softirq(SoftirqVector.TASKLET, NetlinkOps.softirqInput(SoftirqVector.TASKLET))
                .process("nlc", 0, 0, program(
                        sh("insmod nlsoft.ko"),
                        NetlinkUser.socket("fd", NLSOFT), NetlinkUser.bind("fd", 0, 0),
                        send("fd", "where", NlMsg.NLM_F_REQUEST, 1), say("sendmsg returned"),
                        send("fd", "hello", NlMsg.NLM_F_REQUEST | NlMsg.NLM_F_ACK, 2), recv("fd", "recv"), recv("fd", "recv"),
                        send("fd", "alloc", NlMsg.NLM_F_REQUEST, 3),
                        sh("dmesg -c")), 4300));
        assertEquals(List.of("# insmod nlsoft.ko", "sendmsg returned", "recv: from 0 \"echo hello\"", "recv: from 0 ACK(seq 2)",
                "# dmesg -c", "input in softirq TASKLET at SOFTIRQ, current pid 4300",
                // the sleep-in-atomic of the GFP_KERNEL allocation, as the kernel logs it
                "BUG: sleeping function called from invalid context at include/linux/sched/mm.h",
                "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 4300, name: nlc",
                // no RCU nest depth line: a preempt=none kernel has no CONFIG_PREEMPT_RCU
                "preempt_count: 100, expected: 0", "CPU: 0 PID: 4300 Comm: nlc"),
                console(r), "the session");
        List<TraceRecord> t = r.trace();
        int enter = indexOf(t, "sys_enter", "NR 46 ");
        int softirq = indexOf(t, "softirq_entry", "TASKLET");
        int exit = indexOf(t, "sys_exit", "NR 46 ");
        assertTrue(enter < softirq && softirq < exit, "the soft IRQ ran inside the first sendmsg");
        assertEquals(0, r.cpuStats().get(0).softirqsFromKsoftirqd(), "never left to ksoftirqd");
        assertEquals(1, r.reports().size(), "one report: " + r.reports());
        assertEquals(ReportKind.SLEEP_IN_ATOMIC, r.reports().get(0).kind(), "GFP_KERNEL in soft IRQ context");
        assertEquals("softirq TASKLET: nlmsg_new(16, GFP_KERNEL)", r.reports().get(0).site(), "at the input's allocation");
    }

    static int indexOf(List<TraceRecord> t, String event, String args) {
        for (int i = 0; i < t.size(); i++) {
            if (t.get(i).event().equals(event) && t.get(i).args().contains(args)) {
                return i;
            }
        }
        throw new AssertionError("no " + event + " " + args);
    }

    @Test
    @DisplayName("multicast: a kernel broadcast reaches every subscriber (bind nl_groups or NETLINK_ADD_MEMBERSHIP) and nobody else; a user multicast skips its sender; ESRCH with no listener; EINVAL and EPERM")
    void multicast() {
        NetMachine m = new NetMachine();
        RunResult r = run(m, m.builder(MODULES, Map.of()).process("nlc", 0, 0, program(
                sh("insmod nltest.ko"),
                NetlinkUser.socket("a", NLTEST), NetlinkUser.bind("a", 0, 1), show("bind a with group 1"),
                NetlinkUser.socket("b", NLTEST), NetlinkUser.bind("b", 5000, 0),
                NetlinkUser.setsockopt("b", Option.NETLINK_ADD_MEMBERSHIP, 1), show("b joins"),
                NetlinkUser.socket("c", NLTEST), NetlinkUser.bind("c", 6000, 0),
                NetlinkUser.setsockopt("c", Option.NETLINK_ADD_MEMBERSHIP, 0), show("join group 0"),
                NetlinkUser.setsockopt("c", Option.NETLINK_ADD_MEMBERSHIP, 33), show("join group 33"),
                send("c", "bcast news", NlMsg.NLM_F_REQUEST, 1),
                recv("a", "a"), recv("b", "b"),
                NetlinkUser.recvmsg("c", true), show("c"),
                sendTo("a", "from a", 0, 1, false), recv("b", "b"), recv("a", "a"),
                NetlinkUser.recvmsg("a", true), show("a again"),
                NetlinkUser.setsockopt("b", Option.NETLINK_DROP_MEMBERSHIP, 1),
                send("c", "bcast more", NlMsg.NLM_F_REQUEST, 2), recv("a", "a"),
                NetlinkUser.recvmsg("b", true), show("b after leaving"),
                NetlinkUser.close("a"), send("c", "bcast nobody", NlMsg.NLM_F_REQUEST, 3),
                setuid(1000),
                NetlinkUser.setsockopt("c", Option.NETLINK_ADD_MEMBERSHIP, 1), show("uid 1000 joins"),
                NetlinkUser.socket("d", NLTEST), NetlinkUser.bind("d", 0, 1), show("uid 1000 binds with a group"),
                sendTo("c", "x", 0, 1, false), show("uid 1000 multicasts"),
                sendTo("c", "x", 5000, 0, false), show("uid 1000 sends to port 5000"),
                sendTo("c", "x", 0, 0, false), show("uid 1000 sends to the kernel"),
                sh("dmesg")), 4300));
        assertEquals(List.of(
                "# insmod nltest.ko",
                "bind a with group 1: port 4300",
                "b joins: NETLINK_ADD_MEMBERSHIP 1",
                "join group 0: EINVAL",
                "join group 33: EINVAL",
                "a: from 0 group 1 \"news\"",
                "b: from 0 group 1 \"news\"",
                "c: EAGAIN",
                "b: from 4300 group 1 \"from a\"",
                "a: from 0 \"echo from a\"",
                "a again: EAGAIN",
                "a: from 0 group 1 \"more\"",
                "b after leaving: EAGAIN",
                "uid 1000 joins: EPERM",
                "uid 1000 binds with a group: EPERM",
                "uid 1000 multicasts: EPERM",
                "uid 1000 sends to port 5000: EPERM",
                "uid 1000 sends to the kernel: sent 20",
                "$ dmesg",
                "broadcast: 0",
                "broadcast: 0",
                "broadcast: -3"), console(r), "the session");
    }

    @Test
    @DisplayName("a broadcast never waits: a full subscriber is overrun while the other gets the message (0); once the full one has"
            + " set NETLINK_BROADCAST_ERROR the same broadcast returns ENOBUFS (netlink_broadcast_filtered)")
    void broadcastToAFullQueue() {
        NetMachine m = new NetMachine();
        List<Op> floods = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            floods.addAll(send("c", "bcast m" + i, NlMsg.NLM_F_REQUEST, i));
        }
        List<Op> again = new ArrayList<>();
        for (int i = 4; i <= 5; i++) {
            again.addAll(send("c", "bcast m" + i, NlMsg.NLM_F_REQUEST, i));
        }
        RunResult r = run(m, m.builder(MODULES, Map.of()).process("nlc", 0, 0, program(
                sh("insmod nltest.ko"),
                NetlinkUser.socket("a", NLTEST), NetlinkUser.bind("a", 0, 1), NetlinkUser.setsockopt("a", Option.SO_RCVBUF, 1),
                NetlinkUser.socket("b", NLTEST), NetlinkUser.bind("b", 5000, 1),
                NetlinkUser.socket("c", NLTEST), NetlinkUser.bind("c", 6000, 0),
                floods, NetlinkUser.setsockopt("a", Option.NETLINK_BROADCAST_ERROR, 1), show("a asks for errors"), again,
                sh("dmesg")), 4300));
        List<String> log = Transcripts.dmesg(r).stream().filter(l -> l.startsWith("broadcast: ")).toList();
        assertEquals(5, log.size(), "five broadcasts: " + log);
        assertEquals(List.of("broadcast: 0", "broadcast: 0", "broadcast: 0"), log.subList(0, 3),
                "without NETLINK_BROADCAST_ERROR b got each one: 0, though a overflowed");
        assertEquals(List.of("broadcast: -105", "broadcast: -105"), log.subList(3, 5), "with it, -ENOBUFS while a stays full");
    }

    @Test
    @DisplayName("kernel to user on a full queue: EAGAIN to the kernel, the receiver overrun: ENOBUFS on its next recvmsg, then the queued messages; nothing more until it has read its queue empty")
    void kernelToFullQueue() {
        NetMachine m = new NetMachine();
        List<Op> floods = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            floods.addAll(send("fd", "to 4300 m" + i, NlMsg.NLM_F_REQUEST, i));
        }
        List<Op> drain = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            drain.addAll(NetlinkUser.recvmsg("fd", true));
            drain.add(show("recv"));
        }
        RunResult r = run(m, m.builder(MODULES, Map.of()).process("nlc", 0, 0, program(
                sh("insmod nltest.ko"),
                NetlinkUser.socket("fd", NLTEST), NetlinkUser.bind("fd", 0, 0),
                NetlinkUser.setsockopt("fd", Option.SO_RCVBUF, 1), show("SO_RCVBUF 1"),
                floods, drain,
                send("fd", "to 4300 after", NlMsg.NLM_F_REQUEST, 6), NetlinkUser.recvmsg("fd", true), show("recv"),
                NetlinkUser.recvmsg("fd", true), show("recv"),
                sh("dmesg -c"), alive()), 4300));
        assertEquals(List.of(
                "# insmod nltest.ko",
                "SO_RCVBUF 1: SO_RCVBUF 2280",
                "recv: ENOBUFS",
                "recv: from 0 \"m1\"",
                "recv: from 0 \"m2\"",
                "recv: from 0 \"m3\"",
                "recv: from 0 \"after\"",
                "recv: EAGAIN",
                "# dmesg -c",
                "unicast to 4300: 0", "unicast to 4300: 0", "unicast to 4300: 0", "unicast to 4300: -11", "unicast to 4300: -11",
                "unicast to 4300: 0"), console(r), "the session");
        assertEquals(Map.of(Errno.ENOBUFS, 2L), m.netlink().netlinkSnapshot().dropped(), "m4 and m5 dropped at the receiver");
        assertEquals(2, m.netlink().lookup(NLTEST, 4300).drops(), "sk_drops");
    }

    @Test
    @DisplayName("user to user on a full queue: MSG_DONTWAIT gives EAGAIN without overrunning the receiver; a blocking sendmsg sleeps until the receiver reads")
    void userToUser() {
        NetMachine m = new NetMachine();
        List<Op> sends = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            sends.addAll(sendTo("s", "m" + i, 4310, 0, true));
            sends.add(show("send m" + i + " MSG_DONTWAIT"));
        }
        List<Op> reads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            reads.addAll(recv("r", "receiver"));
        }
        RunResult r = run(m, m.builder(MODULES, Map.of())
                .process("receiver", 0, 0, program(
                        NetlinkUser.socket("r", Netlink.NETLINK_USERSOCK), NetlinkUser.bind("r", 0, 0), show("receiver bound"),
                        NetlinkUser.setsockopt("r", Option.SO_RCVBUF, 1),
                        new Ops.SysEnter("nanosleep"), new Ops.Nanosleep(ms(2)), new Ops.SysExit("nanosleep", 0),
                        reads), 4310)
                .process("sender", 0, us(100), program(
                        setuid(1000),
                        NetlinkUser.socket("s", Netlink.NETLINK_USERSOCK), sends,
                        sendTo("s", "m5", 4310, 0, false), show("send m5 blocking"),
                        sendTo("s", "x", 4399, 0, true), show("send to port 4399")), 4311));
        assertEquals(List.of(
                "receiver bound: port 4310",
                "send m1 MSG_DONTWAIT: sent 20",
                "send m2 MSG_DONTWAIT: sent 20",
                "send m3 MSG_DONTWAIT: sent 20",
                "send m4 MSG_DONTWAIT: EAGAIN",
                "receiver: from 4311 \"m1\"",
                "receiver: from 4311 \"m2\"",
                "receiver: from 4311 \"m3\"",
                "send m5 blocking: sent 20",
                "send to port 4399: ECONNREFUSED",
                "receiver: from 4311 \"m5\""), console(r),
                "no ENOBUFS for the receiver; the blocked sender is woken by the first read and runs when the receiver sleeps again");
        TraceRecord woken = r.trace().stream().filter(t -> t.event().equals("sched_wakeup") && t.args().contains("comm=sender"))
                .reduce((a, b) -> b).orElseThrow();
        TraceRecord firstRead = r.trace().stream().filter(t -> t.event().equals("sys_enter") && t.pid() == 4310 && t.args().startsWith("NR 47 "))
                .findFirst().orElseThrow();
        assertEquals(firstRead.timeNs(), woken.timeNs(), "woken at the first recvmsg");
        MechanismSnapshot s = m.netlink().netlinkSnapshot();
        assertEquals(Map.of(Errno.EAGAIN, 1L, Errno.ECONNREFUSED, 1L), s.dropped(), "m4 and the message to 4399");
    }

    @Test
    @DisplayName("ports and options: explicit and automatic port ids, EADDRINUSE, EINVAL on a second bind elsewhere, SO_RCVBUF doubled, ENOTSOCK, EBADF, EMSGSIZE")
    void portsAndOptions() {
        NetMachine m = new NetMachine();
        RunResult r = run(m, m.builder(MODULES, Map.of()).process("nlc", 0, 0, program(
                NetlinkUser.socket("a", Netlink.NETLINK_USERSOCK), NetlinkUser.bind("a", 5000, 0), show("bind a 5000"),
                NetlinkUser.socket("b", Netlink.NETLINK_USERSOCK), NetlinkUser.bind("b", 5000, 0), show("bind b 5000"),
                NetlinkUser.bind("a", 6000, 0), show("bind a 6000"),
                NetlinkUser.bind("a", 5000, 0), show("bind a 5000 again"),
                NetlinkUser.bind("b", 0, 0), show("bind b automatic"),
                NetlinkUser.socket("c", Netlink.NETLINK_USERSOCK), NetlinkUser.bind("c", 0, 0), show("bind c automatic"),
                NetlinkUser.setsockopt("a", Option.SO_RCVBUF, 1), show("rcvbuf 1"),
                NetlinkUser.setsockopt("a", Option.SO_RCVBUF, 10000), show("rcvbuf 10000"),
                NetlinkUser.setsockopt("a", Option.SO_RCVBUF, 1 << 20), show("rcvbuf 1M"),
                openFile("f", "/tmp/f"), NetlinkUser.bind("f", 0, 0), show("bind a file"),
                UdpUser.socket("u"), NetlinkUser.bind("u", 0, 0), show("netlink bind on a UDP socket"),
                NetlinkUser.close("a"), show("close a"), NetlinkUser.bind("a", 0, 0), show("bind closed a"),
                NetlinkUser.sendmsg("b", x -> List.of(new NlMsg(T, 0, 0, 0, new byte[Netlink.SNDBUF])), 0, 0, false),
                show("send 212992 bytes")), 4300));
        List<String> c = console(r);
        String auto = c.get(5);
        assertTrue(auto.startsWith("bind c automatic: port ") && Long.parseLong(auto.substring(23)) > Integer.MAX_VALUE,
                "a second automatic port in the process is negative (printed unsigned): " + auto);
        c = new ArrayList<>(c);
        c.set(5, "bind c automatic: <negative>");
        assertEquals(List.of(
                "bind a 5000: port 5000",
                "bind b 5000: EADDRINUSE",
                "bind a 6000: EINVAL",
                "bind a 5000 again: port 5000",
                "bind b automatic: port 4300",
                "bind c automatic: <negative>",
                "rcvbuf 1: SO_RCVBUF 2280",
                "rcvbuf 10000: SO_RCVBUF 20000",
                "rcvbuf 1M: SO_RCVBUF 425984",
                "bind a file: ENOTSOCK",
                "netlink bind on a UDP socket: EINVAL",
                "close a: closed",
                "bind closed a: EBADF",
                "send 212992 bytes: EMSGSIZE"), c, "the session");
    }

    @Test
    @DisplayName("an open socket of a family pins its module: rmmod fails with EBUSY until the socket is closed; then the family is gone")
    void modulePinned() {
        NetMachine m = new NetMachine();
        RunResult r = run(m, m.builder(MODULES, Map.of()).process("nlc", 0, 0, program(
                sh("insmod nltest.ko"),
                NetlinkUser.socket("fd", NLTEST), sh("rmmod nltest"),
                NetlinkUser.close("fd"), sh("rmmod nltest"),
                NetlinkUser.socket("fd", NLTEST), show("socket after rmmod")), 4300));
        assertEquals(List.of("# insmod nltest.ko", "# rmmod nltest", "rmmod: ERROR: Module nltest is in use", "# rmmod nltest",
                "socket after rmmod: EPROTONOSUPPORT"), console(r), "the session");
    }
}
