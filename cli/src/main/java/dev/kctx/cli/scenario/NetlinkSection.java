package dev.kctx.cli.scenario;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.netlink.InputCtx;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.netlink.NetlinkOps;
import dev.kctx.mechanisms.netlink.NetlinkUser;
import dev.kctx.mechanisms.netlink.NlExample;
import dev.kctx.mechanisms.netlink.NlMsg;
import dev.kctx.mechanisms.user.Libc;
import dev.kctx.mechanisms.user.Sys;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Raw netlink families a declared module creates ({@code netlink: [{unit: 25, groups: 1, input: {...}}]})
 * with netlink_kernel_create, and the process operation {@code netlink:} that talks to one. The
 * input is a small set of behaviours run through {@link InputCtx} in the input's context (the
 * sender's sendmsg, or the soft IRQ {@code in_softirq} names, so that a GFP_KERNEL allocation
 * there is sleep-in-atomic): check a capability (EPERM), fail with an errno (the NACK), log, reply
 * to the sender with a text, multicast the text to a group; netlink_rcv_skb ACKs on NLM_F_ACK.
 */
public final class NetlinkSection {
    public static final List<String> FAMILY_KEYS = List.of("unit", "groups", "in_softirq", "input");
    public static final List<String> INPUT_KEYS = List.of("capable", "errno", "printk", "reply", "multicast", "gfp");
    public static final List<String> OP_KEYS = List.of("unit", "send", "ack", "groups", "recv", "hold", "rcvbuf", "fill");
    static final List<String> GFP = List.of("GFP_KERNEL", "GFP_ATOMIC");
    /** The largest group a family may declare here (netlink_kernel_create takes at least 32 anyway). */
    static final int MAX_GROUPS = 32;
    static final int MAX_RECV = 64;
    /** net.core.rmem_max's default: SO_RCVBUF asks above it are cut to it. */
    static final int MAX_RCVBUF = 212_992;

    private NetlinkSection() {
    }

    /** What a family's input does with each request message. */
    record Input(Cred.Cap capable, Errno errno, String printk, String reply, int multicast, boolean gfpAtomic) {
        void handle(InputCtx in) {
            in.rcvSkb(msg -> {
                String text = msg.text();
                if (printk != null) {
                    in.printk(fill(printk, text, in));
                }
                if (capable != null && !in.capable(capable)) {
                    return Errno.EPERM.negative();
                }
                if (errno != null) {
                    return errno.negative();
                }
                if (reply != null) {
                    in.nlmsgNew(64, gfpAtomic);
                    in.unicast(in.portId(), NlMsg.ofText(NlExample.NLEX_MSG, 0, msg.seq(), 0, fill(reply, text, in)));
                }
                if (multicast > 0) {
                    in.nlmsgNew(64, gfpAtomic);
                    in.broadcast(multicast, NlMsg.ofText(NlExample.NLEX_MSG, 0, 0, 0, text), gfpAtomic);
                }
                return 0;
            });
        }

        private static String fill(String template, String text, InputCtx in) {
            return template.replace("{text}", text).replace("{port}", Integer.toUnsignedString(in.portId()));
        }
    }

    /** The module's families; soft-IRQ inputs add their vector's handler to the machine, once per vector. */
    static Consumer<ModuleCtx> families(Node node, String module, Set<SoftirqVector> vectors,
                                        List<BiFunction<MachineSpec.Builder, Integer, MachineSpec.Builder>> kernel) {
        List<Consumer<ModuleCtx>> out = new ArrayList<>();
        Set<Long> units = new java.util.HashSet<>();
        for (Node item : Values.seq(node, "netlink", "families, e.g. '- {unit: 25, groups: 1, input: {reply: \"got {text}\"}}'").items()) {
            Fields f = Fields.of(item, "netlink family", FAMILY_KEYS);
            Node unitNode = f.req("unit", "0.." + (Netlink.MAX_LINKS - 1));
            int unit = (int) Values.integer(unitNode, "netlink unit", 0, Netlink.MAX_LINKS - 1);
            if (!units.add((long) unit)) {
                throw new ScenarioError(unitNode.loc(), "a second netlink family " + unit + " in module " + module, "a unique unit per family");
            }
            int groups = (int) f.opt("groups").map(n -> Values.integer(n, "netlink groups", 0, MAX_GROUPS)).orElse(0L).longValue();
            SoftirqVector vector = f.opt("in_softirq").map(n -> Values.choice(n, "soft IRQ vector", OpArg.vectors())).orElse(null);
            // Without an input the kernel socket only sends (netlink_unicast, netlink_broadcast from the
            // module's code); a user message to it gets ECONNREFUSED (netlink_unicast_kernel).
            Input input = f.has("input") ? input(f.req("input", "{reply: TEXT, multicast: GROUP, errno: E..., capable: CAP_..., printk: TEXT, gfp: GFP_...}"),
                    groups) : null;
            Netlink.Config base = Netlink.Config.of(input == null ? null : input::handle).withGroups(groups);
            Netlink.Config cfg = vector == null ? base : base.inSoftirq(vector);
            if (vector != null && vectors.add(vector)) {
                kernel.add((b, cpus) -> b.softirq(vector, NetlinkOps.softirqInput(vector)));
            }
            out.add(m -> {
                if (Netlink.get(m.ctx().kernel()).kernelCreate(m, unit, cfg) == null) {
                    // netlink_kernel_create returns NULL for a unit taken; the module's init fails as nlexample's does.
                    m.printk(module + ": Error creating socket.");
                    throw new dev.kctx.mechanisms.KernelError(Errno.ENOMEM);
                }
            });
        }
        return m -> out.forEach(c -> c.accept(m));
    }

    private static Input input(Node node, int groups) {
        Fields f = Fields.of(node, "netlink input", INPUT_KEYS);
        Map<String, Cred.Cap> caps = new LinkedHashMap<>();
        for (Cred.Cap c : Cred.Cap.values()) {
            caps.put(c.name(), c);
        }
        Cred.Cap cap = f.opt("capable").map(n -> Values.choice(n, "capability", caps)).orElse(null);
        Errno errno = f.opt("errno").map(IoctlSection::errno).orElse(null);
        String printk = f.opt("printk").map(n -> Values.string(n, "printk")).orElse(null);
        String reply = f.opt("reply").map(n -> Values.string(n, "reply")).orElse(null);
        int multicast = 0;
        if (f.has("multicast")) {
            Node mn = f.req("multicast", "GROUP");
            if (groups == 0) {
                throw new ScenarioError(mn.loc(), "the input multicasts but the family has no groups", "'groups: N' on the family");
            }
            multicast = (int) Values.integer(mn, "multicast group", 1, groups);
        }
        if (errno != null && (reply != null || multicast > 0)) {
            throw new ScenarioError(f.keyLoc("errno"), "the input fails with " + errno.name() + " and also answers",
                    "either 'errno' (the NACK) or 'reply'/'multicast'");
        }
        Map<String, String> gfps = new LinkedHashMap<>();
        GFP.forEach(g -> gfps.put(g, g));
        boolean atomic = f.opt("gfp").map(n -> Values.choice(n, "GFP flag", gfps)).orElse("GFP_KERNEL").equals("GFP_ATOMIC");
        return new Input(cap, errno, printk, reply, multicast, atomic);
    }

    /**
     * {@code netlink: {unit: 25, send: TEXT, ack: true, groups: 1, recv: 2}}: socket(AF_NETLINK,
     * SOCK_RAW, unit), bind with the groups bitmask, sendmsg of the text to the kernel (with
     * NLM_F_ACK when asked), then {@code recv} blocking recvmsg calls, each printed.
     */
    /**
     * {@code hold: DURATION}: a consumer that stops reading. The socket stays open (bound, in its
     * groups) and unread for that long, a nanosleep before the first recvmsg, while what the kernel
     * sends it queues up until the receive buffer is full and the rest is dropped.
     */
    static List<Op> holdOpen(Fields f, OpArg a) {
        return f.opt("hold").map(n -> {
            long ns = Values.positiveDuration(n, "hold");
            a.context().syscall("nanosleep");
            return Sys.nanosleep(ns);
        }).orElse(List.of());
    }

    /** {@code rcvbuf: BYTES}: setsockopt(SO_RCVBUF); the kernel stores twice the value, at least SOCK_MIN_RCVBUF. */
    static List<Op> rcvbuf(Fields f, String sock) {
        return f.opt("rcvbuf").map(n -> NetlinkUser.setsockopt(sock, dev.kctx.mechanisms.netlink.NetlinkProtocol.Option.SO_RCVBUF,
                (int) Values.integer(n, "rcvbuf", 1, MAX_RCVBUF))).orElse(List.of());
    }

    /**
     * {@code fill: N | full}: how full the socket starts. After bind and SO_RCVBUF, the family's kernel
     * socket has already queued N datagrams "backlog 1".."backlog N" for the socket's port (or, with
     * {@code full}, as many as the receive buffer takes: the queue is then full and the next
     * netlink_unicast finds it so). They count as sent and are read like any other datagram.
     */
    static List<Op> fill(Fields f, int unit) {
        return f.opt("fill").map(n -> {
            int count = n instanceof Node.ScalarNode s && s.text().equals("full") ? -1
                    : (int) Values.integer(n, "netlink fill (a count or 'full')", 0, MAX_RECV);
            return List.<Op>of(Sys.act("netlink fill", x -> Netlink.get(x.kernel()).prefill(x, unit, x.pid(), count,
                    i -> NlMsg.ofText(NlExample.NLEX_MSG, 0, 0, 0, "backlog " + i))));
        }).orElse(List.of());
    }

    static void op(OpArg a, OpSink o) {
        Fields f = a.fields("netlink: {unit: 25, send: TEXT, ack: true, groups: 0, recv: 1, hold: DURATION, rcvbuf: BYTES, fill: N | full}",
                OP_KEYS);
        int unit = (int) Values.integer(f.req("unit", "0.." + (Netlink.MAX_LINKS - 1)), "netlink unit", 0, Netlink.MAX_LINKS - 1);
        String send = f.opt("send").map(n -> Values.string(n, "netlink send")).orElse(null);
        boolean ack = f.opt("ack").map(n -> Values.bool(n, "ack")).orElse(false);
        if (ack && send == null) {
            throw new ScenarioError(f.keyLoc("ack"), "'ack' asks for the ACK of a message, and nothing is sent", "'send: TEXT' or no 'ack'");
        }
        long groupsMask = f.opt("groups").map(n -> Values.integer(n, "netlink groups bitmask", 0, 0xffffffffL)).orElse(0L);
        int recv = (int) f.opt("recv").map(n -> Values.integer(n, "recv count", 0, MAX_RECV)).orElse(send != null ? (ack ? 2L : 1L) : 1L)
                .longValue();
        List<Op> ops = new ArrayList<>(NetlinkUser.bind("nl", 0, (int) groupsMask));
        ops.addAll(rcvbuf(f, "nl"));
        ops.addAll(fill(f, unit));
        if (send != null) {
            int flags = NlMsg.NLM_F_REQUEST | (ack ? NlMsg.NLM_F_ACK : 0);
            ops.addAll(NetlinkUser.sendmsg("nl", x -> List.of(NlMsg.ofText(NlExample.NLEX_MSG, flags, 1, x.pid(), send)), 0, 0, false));
            ops.add(Sys.act("netlink sendmsg", x -> NlExample.report(x, "sendmsg")));
        }
        ops.addAll(holdOpen(f, a));
        for (int i = 0; i < recv; i++) {
            ops.addAll(NetlinkUser.recvmsg("nl", false));
            ops.add(Sys.act("netlink recvmsg", NlExample::printReceived));
        }
        ops.addAll(NetlinkUser.close("nl"));
        a.context().shell();
        // if (fd < 0) { perror("socket"); return 1; }
        NetlinkUser.socket("nl", unit).forEach(o::op);
        o.op(Sys.act("netlink socket", x -> {
            if (Sys.regs(x).failed()) {
                x.console("socket: " + Sys.regs(x).errno.text());
            }
        }));
        o.op(Libc.unlessFailed(ops));
    }
}
