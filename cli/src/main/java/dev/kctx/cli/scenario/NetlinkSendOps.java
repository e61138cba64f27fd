package dev.kctx.cli.scenario;

import dev.kctx.actors.program.Exec;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.netlink.NetlinkOps;
import dev.kctx.mechanisms.netlink.NlExample;
import dev.kctx.mechanisms.netlink.NlMsg;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Netlink sends from kernel code in any context (IRQ handlers, soft IRQs, tasklets, timers, kernel
 * threads, system calls) on the kernel socket of a family a module declares, towards user sockets
 * that processes open with the {@code netlink:} operation ({@code rcvbuf}, {@code fill},
 * {@code hold}): {@code netlink_unicast} and {@code netlink_broadcast} / {@code nlmsg_multicast}.
 * The queue rules are {@link Netlink}'s; each call writes its return value to the kernel log, as a
 * driver that checks it would: {@code CONTEXT: netlink_unicast(portid 5000) = -11 (EAGAIN)}.
 */
public final class NetlinkSendOps {
    public static final List<String> UNICAST_KEYS = List.of("unit", "portid", "text", "nonblock", "gfp");
    public static final List<String> BROADCAST_KEYS = List.of("unit", "group", "text", "gfp");
    static final String UNICAST_USAGE = "netlink_unicast: {unit: 25, portid: PID, text: TEXT, nonblock: MSG_DONTWAIT | 0, gfp: GFP_ATOMIC}";

    private NetlinkSendOps() {
    }

    static void registerAll(OpRegistry r) {
        r.register("netlink_unicast", UNICAST_USAGE, OpRegistry.KERNEL, NetlinkSendOps::unicast);
        for (String call : List.of("netlink_broadcast", "nlmsg_multicast")) {
            r.register(call, call + ": {unit: 25, group: N, text: TEXT, gfp: GFP_ATOMIC}", OpRegistry.KERNEL,
                    (a, o) -> broadcast(a, o, call));
        }
    }

    /** "= 20" or "= -11 (EAGAIN)". */
    static String result(int ret) {
        return ret >= 0 ? String.valueOf(ret) : ret + " (" + Errno.byNumber(ret).name() + ")";
    }

    private static int unit(Fields f) {
        return (int) Values.integer(f.req("unit", "0.." + (Netlink.MAX_LINKS - 1)), "netlink unit", 0, Netlink.MAX_LINKS - 1);
    }

    private static boolean gfpAtomic(Fields f) {
        Map<String, String> gfps = new LinkedHashMap<>();
        NetlinkSection.GFP.forEach(g -> gfps.put(g, g));
        return f.opt("gfp").map(n -> Values.choice(n, "GFP flag", gfps)).orElse("GFP_KERNEL").equals("GFP_ATOMIC");
    }

    private static NlMsg message(String text) {
        return NlMsg.ofText(NlExample.NLEX_MSG, 0, 0, 0, text);
    }

    /**
     * {@code netlink_unicast: {unit, portid, text, nonblock, gfp}}: nlmsg_new(size, gfp) and
     * netlink_unicast(nl_sk, skb, portid, nonblock). {@code nonblock} is MSG_DONTWAIT (or true) or 0
     * (false, the default: the send waits for room in the receiver's queue).
     */
    static void unicast(OpArg a, OpSink o) {
        Fields f = a.fields(UNICAST_USAGE, UNICAST_KEYS);
        int unit = unit(f);
        int portId = (int) Values.integer(f.req("portid", "the receiver's port id (its process id)"), "netlink portid",
                Integer.MIN_VALUE, 0xffffffffL);
        String text = Values.string(f.req("text", "TEXT"), "netlink_unicast text");
        boolean nonblock = f.opt("nonblock").map(n -> n instanceof Node.ScalarNode s && s.kind() == Node.ScalarKind.BOOL
                ? Values.bool(n, "nonblock") : Values.choice(n, "nonblock", Map.of("MSG_DONTWAIT", true, "0", false))).orElse(false);
        boolean atomic = gfpAtomic(f);
        String port = Integer.toUnsignedString(portId);
        o.op(new NetlinkOps.Unicast(unit, x -> portId, x -> message(text), nonblock, atomic,
                (Exec x, int ret) -> x.printk(x.contextName() + ": netlink_unicast(portid " + port + ") = " + result(ret))));
    }

    /**
     * {@code netlink_broadcast: {unit, group, text, gfp}} (or {@code nlmsg_multicast:}): nlmsg_new(size,
     * gfp) and the broadcast to the family's group.
     */
    static void broadcast(OpArg a, OpSink o, String call) {
        Fields f = a.fields(call + ": {unit: 25, group: N, text: TEXT, gfp: GFP_ATOMIC}", BROADCAST_KEYS);
        int unit = unit(f);
        int group = (int) Values.integer(f.req("group", "1..32"), "netlink group", 1, NetlinkSection.MAX_GROUPS);
        String text = Values.string(f.req("text", "TEXT"), call + " text");
        boolean atomic = gfpAtomic(f);
        o.op(new NetlinkOps.Broadcast(unit, group, x -> message(text), atomic, call,
                (Exec x, int ret) -> x.printk(x.contextName() + ": " + call + "(group " + group + ") = " + result(ret))));
    }
}
