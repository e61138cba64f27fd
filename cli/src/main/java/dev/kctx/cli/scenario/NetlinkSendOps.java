package dev.kctx.cli.scenario;

import dev.kctx.actors.program.Exec;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.genetlink.Genetlink;
import dev.kctx.mechanisms.genetlink.GenetlinkOps;
import dev.kctx.mechanisms.genetlink.GenlMsg;
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
 * {@code hold}): {@code netlink_unicast} and {@code netlink_broadcast} / {@code nlmsg_multicast}; and
 * on a generic netlink family: {@code genlmsg_unicast} and {@code genlmsg_multicast}.
 * The queue rules are {@link Netlink}'s; each call writes its return value to the kernel log, as a
 * driver that checks it would: {@code CONTEXT: netlink_unicast(portid 5000) = -11 (EAGAIN)}.
 */
public final class NetlinkSendOps {
    public static final List<String> UNICAST_KEYS = List.of("unit", "portid", "text", "nonblock", "gfp");
    public static final List<String> BROADCAST_KEYS = List.of("unit", "group", "text", "gfp");
    public static final List<String> GENL_UNICAST_KEYS = List.of("family", "portid", "cmd", "version", "attrs", "gfp");
    public static final List<String> GENL_MULTICAST_KEYS = List.of("family", "group", "cmd", "version", "attrs", "gfp");
    static final String GENL_UNICAST_USAGE = "genlmsg_unicast: {family: NAME, portid: PID, cmd: N, attrs: [{type: 1, string: TEXT}], gfp: GFP_ATOMIC}";
    static final String GENL_MULTICAST_USAGE = "genlmsg_multicast: {family: NAME, group: GROUP, cmd: N, attrs: [{type: 1, string: TEXT}], gfp: GFP_ATOMIC}";
    static final String UNICAST_USAGE = "netlink_unicast: {unit: 25, portid: PID, text: TEXT, nonblock: MSG_DONTWAIT | 0, gfp: GFP_ATOMIC}";

    private NetlinkSendOps() {
    }

    static void registerAll(OpRegistry r) {
        r.register("netlink_unicast", UNICAST_USAGE, OpRegistry.KERNEL, NetlinkSendOps::unicast);
        for (String call : List.of("netlink_broadcast", "nlmsg_multicast")) {
            r.register(call, call + ": {unit: 25, group: N, text: TEXT, gfp: GFP_ATOMIC}", OpRegistry.KERNEL,
                    (a, o) -> broadcast(a, o, call));
        }
        r.register("genlmsg_unicast", GENL_UNICAST_USAGE, OpRegistry.KERNEL, (a, o) -> genl(a, o, true));
        r.register("genlmsg_multicast", GENL_MULTICAST_USAGE, OpRegistry.KERNEL, (a, o) -> genl(a, o, false));
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
        int portId = portId(f);
        String text = Values.string(f.req("text", "TEXT"), "netlink_unicast text");
        boolean nonblock = f.opt("nonblock").map(n -> n instanceof Node.ScalarNode s && s.kind() == Node.ScalarKind.BOOL
                ? Values.bool(n, "nonblock") : Values.choice(n, "nonblock", Map.of("MSG_DONTWAIT", true, "0", false))).orElse(false);
        boolean atomic = gfpAtomic(f);
        String port = Integer.toUnsignedString(portId);
        o.op(new NetlinkOps.Unicast(unit, x -> portId, x -> message(text), nonblock, atomic,
                (Exec x, int ret) -> x.printk(x.contextName() + ": netlink_unicast(portid " + port + ") = " + result(ret))));
    }

    private static int portId(Fields f) {
        return (int) Values.integer(f.req("portid", "the receiver's port id (its process id)"), "netlink portid",
                Integer.MIN_VALUE, 0xffffffffL);
    }

    /**
     * {@code genlmsg_unicast: {family, portid, cmd, version, attrs, gfp}} (genlmsg_new, genlmsg_put,
     * genlmsg_unicast: always MSG_DONTWAIT) or {@code genlmsg_multicast: {family, group, ...}} (the
     * group by its name in the family's groups). The family is found by name when the call runs.
     */
    static void genl(OpArg a, OpSink o, boolean unicast) {
        String call = unicast ? "genlmsg_unicast" : "genlmsg_multicast";
        Fields f = a.fields(unicast ? GENL_UNICAST_USAGE : GENL_MULTICAST_USAGE, unicast ? GENL_UNICAST_KEYS : GENL_MULTICAST_KEYS);
        String family = GenetlinkSection.familyName(f.req("family", "NAME"));
        int cmd = (int) Values.integer(f.req("cmd", "0..255"), "cmd", 0, 255);
        int version = (int) f.opt("version").map(n -> Values.integer(n, "version", 0, 255)).orElse(1L).longValue();
        GenlMsg msg = new GenlMsg(cmd, version, GenetlinkSection.attrs(f));
        boolean atomic = gfpAtomic(f);
        if (unicast) {
            int portId = portId(f);
            String port = Integer.toUnsignedString(portId);
            o.op(new GenetlinkOps.Unicast(family, x -> portId, msg, atomic, (Exec x, int ret) -> x.printk(x.contextName()
                    + ": genlmsg_unicast(" + family + ", portid " + port + ") = " + result(ret))));
        } else {
            String group = Values.name(f.req("group", "GROUP"), "genlmsg_multicast group", Genetlink.GENL_NAMSIZ - 1);
            o.op(new GenetlinkOps.Multicast(family, group, msg, atomic, (Exec x, int ret) -> x.printk(x.contextName()
                    + ": genlmsg_multicast(" + family + ", " + group + ") = " + result(ret))));
        }
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
