package dev.kctx.cli.scenario;

import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.genetlink.GenlFamily;
import dev.kctx.mechanisms.genetlink.GenlInfo;
import dev.kctx.mechanisms.genetlink.GenlOp;
import dev.kctx.mechanisms.genetlink.GenlProtocol;
import dev.kctx.mechanisms.genetlink.GenlUser;
import dev.kctx.mechanisms.genetlink.Genetlink;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.netlink.NetlinkProtocol;
import dev.kctx.mechanisms.netlink.NetlinkUser;
import dev.kctx.mechanisms.netlink.Nla;
import dev.kctx.mechanisms.netlink.NlaPolicy;
import dev.kctx.mechanisms.netlink.NlMsg;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Generic netlink families a declared module registers ({@code genetlink: [{name, version,
 * attributes, groups, ops}]}) with {@link Genetlink#register}, so that nlctrl resolves them and
 * genl_rcv_msg checks them as for gnkernel (unknown command EOPNOTSUPP, admin_perm without
 * CAP_NET_ADMIN EPERM, the attribute policy EINVAL/ERANGE); and the process operation
 * {@code genetlink:} that resolves a family by name and sends it a command.
 */
public final class GenetlinkSection {
    public static final List<String> FAMILY_KEYS = List.of("name", "version", "attributes", "groups", "ops");
    public static final List<String> ATTR_KEYS = List.of("type", "name", "policy");
    public static final List<String> OPERATION_KEYS = List.of("cmd", "name", "admin_perm", "printk", "errno", "reply", "multicast");
    public static final List<String> OP_KEYS = List.of("family", "cmd", "version", "attrs", "ack", "subscribe", "recv", "hold", "rcvbuf");
    public static final List<String> ATTR_VALUE_KEYS = List.of("type", "string", "u32");
    private static final Pattern FAMILY_NAME = Pattern.compile("[A-Za-z0-9_.-]{1," + (Genetlink.GENL_NAMSIZ - 1) + "}");
    /** The most datagrams a request with NLM_F_ACK reads before its ACK. */
    static final int MAX_ANSWERS = 8;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_]+)}");

    private GenetlinkSection() {
    }

    static Map<String, NlaPolicy.Type> policies() {
        Map<String, NlaPolicy.Type> m = new LinkedHashMap<>();
        for (NlaPolicy.Type t : NlaPolicy.Type.values()) {
            m.put(t.name().toLowerCase(Locale.ROOT), t);
        }
        return m;
    }

    private record Attr(int type, String name, NlaPolicy.Type policy) {
        boolean text() {
            return policy == NlaPolicy.Type.STRING || policy == NlaPolicy.Type.NUL_STRING;
        }

        /** The value a placeholder shows: the string, or the number for the fixed-size types. */
        String show(Nla a) {
            return switch (policy) {
                case U8 -> String.valueOf(a.asU8());
                case U16 -> String.valueOf(a.asU16());
                case U32 -> Integer.toUnsignedString(a.asU32());
                case U64 -> Long.toUnsignedString(a.asU64());
                case FLAG -> "true";
                default -> a.asString();
            };
        }
    }

    /** The families of one module, registered in file order at init. */
    static Consumer<ModuleCtx> families(Node node) {
        List<GenlFamily> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Node item : Values.seq(node, "genetlink", "families, e.g. '- {name: KCTX_DEMO, ops: [{cmd: 1, reply: hi}]}'").items()) {
            Fields f = Fields.of(item, "generic netlink family", FAMILY_KEYS);
            Node nameNode = f.req("name", "NAME (at most " + (Genetlink.GENL_NAMSIZ - 1) + " characters)");
            String name = Values.string(nameNode, "family name");
            if (!FAMILY_NAME.matcher(name).matches()) {
                throw new ScenarioError(nameNode.loc(), "family name '" + Errors.clip(name) + "' is not valid",
                        "1 to " + (Genetlink.GENL_NAMSIZ - 1) + " letters, digits, _ . or - (GENL_NAMSIZ)");
            }
            if (!names.add(name)) {
                throw new ScenarioError(nameNode.loc(), "a second generic netlink family " + name, "a unique name per family");
            }
            int version = (int) f.opt("version").map(n -> Values.integer(n, "version", 0, 255)).orElse(1L).longValue();
            Map<String, Attr> attrs = new LinkedHashMap<>();
            Map<Integer, NlaPolicy> policy = new LinkedHashMap<>();
            for (Node a : f.opt("attributes").map(n -> Values.seq(n, "attributes", "'- {type: 1, name: MSG, policy: nul_string}'").items())
                    .orElse(List.of())) {
                Fields af = Fields.of(a, "attribute", ATTR_KEYS);
                Node typeNode = af.req("type", "1..255");
                int type = (int) Values.integer(typeNode, "attribute type", 1, 255);
                String an = Values.name(af.req("name", "NAME"), "attribute name", 32);
                if (policy.containsKey(type) || attrs.containsKey(an)) {
                    throw new ScenarioError(typeNode.loc(), "attribute " + an + " (type " + type + ") repeats a type or name",
                            "a unique type and name per attribute");
                }
                NlaPolicy.Type p = Values.choice(af.req("policy", String.join(" | ", policies().keySet())), "attribute policy", policies());
                attrs.put(an, new Attr(type, an, p));
                policy.put(type, NlaPolicy.of(p));
            }
            int maxattr = policy.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
            List<String> groups = new ArrayList<>();
            for (Node g : f.opt("groups").map(n -> Values.seq(n, "groups", "multicast group names, e.g. [events]").items()).orElse(List.of())) {
                String gn = Values.name(g, "group name", Genetlink.GENL_NAMSIZ - 1);
                if (groups.contains(gn)) {
                    throw new ScenarioError(g.loc(), "a second group named " + gn, "a unique name per group");
                }
                groups.add(gn);
            }
            List<GenlOp> ops = new ArrayList<>();
            Set<Long> cmds = new HashSet<>();
            for (Node o : Values.seq(f.req("ops", "[{cmd: 1, name: ECHO, reply: \"you said: {MSG}\"}]"), "ops",
                    "'- {cmd: 1, name: ECHO, reply: TEXT}'").items()) {
                ops.add(operation(o, attrs, groups, cmds));
            }
            out.add(new GenlFamily(name, version, maxattr, policy, ops, groups));
        }
        return m -> out.forEach(fam -> Genetlink.get(m.ctx().kernel()).register(m, fam));
    }

    private static GenlOp operation(Node node, Map<String, Attr> attrs, List<String> groups, Set<Long> cmds) {
        Fields f = Fields.of(node, "generic netlink operation", OPERATION_KEYS);
        Node cmdNode = f.req("cmd", "1..255");
        long cmd = Values.integer(cmdNode, "cmd", 1, 255);
        if (!cmds.add(cmd)) {
            throw new ScenarioError(cmdNode.loc(), "a second operation for cmd " + cmd, "a unique cmd per operation");
        }
        boolean admin = f.opt("admin_perm").map(n -> Values.bool(n, "admin_perm")).orElse(false);
        String printk = f.opt("printk").map(n -> placeholders(n, "printk", attrs)).orElse(null);
        Errno errno = f.opt("errno").map(IoctlSection::errno).orElse(null);
        String reply = f.opt("reply").map(n -> placeholders(n, "reply", attrs)).orElse(null);
        Node mcNode = f.opt("multicast").orElse(null);
        int group = -1;
        if (mcNode != null) {
            String g = Values.string(mcNode, "multicast group");
            group = groups.indexOf(g);
            if (group < 0) {
                throw new ScenarioError(mcNode.loc(), Errors.unknown("multicast group", g, groups),
                        groups.isEmpty() ? "declare it under the family's 'groups: [" + g + "]'" : Errors.oneOf(groups));
            }
        }
        if (errno != null && (reply != null || mcNode != null)) {
            throw new ScenarioError(f.keyLoc("errno"), "the operation fails with " + errno.name() + " and also answers",
                    "either 'errno' (the NACK) or 'reply'/'multicast'");
        }
        Attr text = attrs.values().stream().filter(Attr::text).findFirst().orElse(null);
        if ((reply != null || mcNode != null) && text == null) {
            throw new ScenarioError((reply != null ? f.keyLoc("reply") : mcNode.loc()), "the answer is a text and the family has no string attribute to carry it",
                    "an attribute with policy string or nul_string");
        }
        int c = (int) cmd;
        int mcGroup = group;
        String answer = reply;
        return GenlOp.doit(c, admin ? Genetlink.GENL_ADMIN_PERM : 0, info -> {
            if (printk != null) {
                info.printk(fill(printk, info, attrs));
            }
            if (errno != null) {
                return errno.negative();
            }
            if (answer != null) {
                info.reply(c, List.of(Nla.string(text.type(), fill(answer, info, attrs))));
            }
            if (mcGroup >= 0) {
                String t = answer != null ? fill(answer, info, attrs) : firstText(info, attrs);
                info.genlmsgNew(Genetlink.NLMSG_DEFAULT_SIZE, false);
                info.multicast(mcGroup, info.put(0, 0, 0, c, List.of(Nla.string(text.type(), t))), false);
            }
            return 0;
        });
    }

    private static String placeholders(Node n, String what, Map<String, Attr> attrs) {
        String t = Values.string(n, what);
        var m = PLACEHOLDER.matcher(t);
        while (m.find()) {
            if (!attrs.containsKey(m.group(1))) {
                throw new ScenarioError(n.loc(), Errors.unknown("attribute", m.group(1), attrs.keySet()) + " in {" + m.group(1) + "}",
                        attrs.isEmpty() ? "a family with 'attributes'" : Errors.oneOf(attrs.keySet()));
            }
        }
        return t;
    }

    /** {NAME} is the attribute's value in the request, empty when the request lacks it. */
    private static String fill(String template, GenlInfo info, Map<String, Attr> attrs) {
        var m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Attr a = attrs.get(m.group(1));
            Nla v = info.attr(a.type());
            m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(v == null ? "" : a.show(v)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String firstText(GenlInfo info, Map<String, Attr> attrs) {
        for (Attr a : attrs.values()) {
            if (a.text() && info.attr(a.type()) != null) {
                return info.attr(a.type()).asString();
            }
        }
        return "";
    }

    // ---- the process side ----

    /**
     * {@code genetlink: {family: NAME, cmd: 1, attrs: [{type: 1, string: hi}], ack: true}} or
     * {@code {family: NAME, subscribe: GROUP}}: socket(NETLINK_GENERIC), CTRL_CMD_GETFAMILY to
     * nlctrl, then the command and its answers (one datagram; with ack, until the ACK or NACK), or
     * the membership and one datagram; each printed.
     */
    static void op(OpArg a, OpSink o) {
        Fields f = a.fields("genetlink: {family: NAME, cmd: 1, attrs: [{type: 1, string: hello}], ack: true} or {family: NAME, subscribe: GROUP}",
                OP_KEYS);
        String family = familyName(f.req("family", "NAME"));
        String subscribe = f.opt("subscribe").map(n -> Values.name(n, "subscribe", Genetlink.GENL_NAMSIZ - 1)).orElse(null);
        if ((subscribe == null) == !f.has("cmd")) {
            throw new ScenarioError(f.loc(), subscribe == null ? "genetlink names neither a cmd nor a group to subscribe to"
                    : "genetlink both subscribes and sends a cmd", "either 'cmd: N' or 'subscribe: GROUP'");
        }
        int cmd = (int) f.opt("cmd").map(n -> Values.integer(n, "cmd", 0, 255)).orElse(0L).longValue();
        int version = (int) f.opt("version").map(n -> Values.integer(n, "version", 0, 255)).orElse(1L).longValue();
        boolean ack = f.opt("ack").map(n -> Values.bool(n, "ack")).orElse(false);
        List<Nla> attrs = attrs(f);
        if (subscribe != null && (ack || !attrs.isEmpty() || f.has("version"))) {
            throw new ScenarioError(f.loc(), "a subscriber sends no command, so 'ack', 'attrs' and 'version' do not apply",
                    "'{family: NAME, subscribe: GROUP}'");
        }
        if (subscribe == null && f.has("recv")) {
            throw new ScenarioError(f.keyLoc("recv"), "'recv' counts a subscriber's reads; a command reads its answers",
                    "'{family: NAME, subscribe: GROUP, recv: N}' or no 'recv'");
        }
        int recv = (int) f.opt("recv").map(n -> Values.integer(n, "recv count", 0, NetlinkSection.MAX_RECV)).orElse(1L).longValue();
        List<Op> hold = NetlinkSection.holdOpen(f, a);
        a.context().shell();
        List<Op> ops = new ArrayList<>(NetlinkUser.bind("genl", 0, 0));
        ops.addAll(NetlinkSection.rcvbuf(f, "genl"));
        ops.addAll(GenlUser.send("genl", 0, x -> new GenlProtocol.GetFamily(family)));
        ops.addAll(GenlUser.recv("genl"));
        ops.add(Sys.user("genetlink resolve", x -> {
            Regs r = Sys.regs(x);
            if (!(GenlUser.reply(r) instanceof GenlProtocol.NewFamily nf)) {
                x.console("family " + family + ": " + (GenlUser.reply(r) instanceof GenlProtocol.Nack n ? n.errno().name() : "no answer"));
                return NetlinkUser.close("genl");
            }
            List<Op> next = new ArrayList<>();
            if (subscribe != null) {
                Integer id = nf.groups().get(subscribe);
                if (id == null) {
                    x.console("family " + family + " has no group " + subscribe);
                    return NetlinkUser.close("genl");
                }
                next.addAll(NetlinkUser.setsockopt("genl", NetlinkProtocol.Option.NETLINK_ADD_MEMBERSHIP, id));
                next.addAll(hold);
                next.addAll(receive(recv));
            } else {
                next.addAll(GenlUser.send("genl", 1,
                        y -> new GenlProtocol.Command(nf.id(), cmd, version, attrs, ack ? NlMsg.NLM_F_ACK : 0)));
                next.addAll(hold);
                next.addAll(receive(ack ? MAX_ANSWERS : 1));
            }
            next.addAll(NetlinkUser.close("genl"));
            return next;
        }));
        NetlinkUser.socket("genl", Netlink.NETLINK_GENERIC).forEach(o::op);
        o.op(dev.kctx.mechanisms.user.Libc.unlessFailed(ops));
    }

    /** {@code attrs: [{type: 1, string: hello}, {type: 2, u32: 5}]}: the attributes a message carries. */
    static List<Nla> attrs(Fields f) {
        List<Nla> attrs = new ArrayList<>();
        for (Node n : f.opt("attrs").map(n -> Values.seq(n, "attrs", "'- {type: 1, string: hello}' or '- {type: 2, u32: 5}'").items())
                .orElse(List.of())) {
            Fields af = Fields.of(n, "attribute value", ATTR_VALUE_KEYS);
            int type = (int) Values.integer(af.req("type", "1..255"), "attribute type", 1, 255);
            if (af.has("string") == af.has("u32")) {
                throw new ScenarioError(af.loc(), "an attribute value needs exactly one of 'string' and 'u32'", "'string: TEXT' or 'u32: N'");
            }
            attrs.add(af.has("string") ? Nla.string(type, Values.string(af.req("string", "TEXT"), "string"))
                    : Nla.u32(type, (int) Values.integer(af.req("u32", "N"), "u32", 0, 0xffffffffL)));
        }
        return attrs;
    }

    /** A family name as genl_register_family takes it. */
    static String familyName(Node famNode) {
        String family = Values.string(famNode, "family");
        if (!FAMILY_NAME.matcher(family).matches()) {
            throw new ScenarioError(famNode.loc(), "family name '" + Errors.clip(family) + "' is not valid",
                    "1 to " + (Genetlink.GENL_NAMSIZ - 1) + " letters, digits, _ . or -");
        }
        return family;
    }

    /** Up to {@code count} datagrams, until an ACK or a NACK, which ends the request. */
    private static List<Op> receive(int count) {
        if (count == 0) {
            return List.of();
        }
        List<Op> ops = new ArrayList<>(GenlUser.recv("genl"));
        ops.add(Sys.user("genetlink answer", x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                x.console("recv: " + r.errno.text());
                // ENOBUFS reports earlier drops (netlink_overrun), not this read: a monitor reads on.
                return r.errno == dev.kctx.mechanisms.Errno.ENOBUFS ? receive(count - 1) : List.of();
            }
            boolean over = false;
            for (GenlProtocol.Reply rep : GenlUser.replies(r)) {
                if (rep instanceof GenlProtocol.Nack n) {
                    x.console("error " + n.errno().name());
                    over = true;
                } else if (rep instanceof GenlProtocol.Ack) {
                    x.console("ACK");
                    over = true;
                } else if (rep instanceof GenlProtocol.Message m) {
                    x.console("kernel says: cmd " + m.cmd() + render(m.attrs()));
                }
            }
            return over ? List.of() : receive(count - 1);
        }));
        return ops;
    }

    /** Attributes as {@code , 1="text"} for NUL-terminated strings, {@code , 2=5} for 4-byte values. */
    private static String render(List<Nla> attrs) {
        StringBuilder sb = new StringBuilder();
        for (Nla a : attrs) {
            byte[] d = a.data();
            sb.append(", ").append(a.kind()).append('=');
            if (d.length > 0 && d[d.length - 1] == 0) {
                sb.append('"').append(new String(d, 0, d.length - 1, StandardCharsets.UTF_8)).append('"');
            } else if (d.length == 4) {
                sb.append(Integer.toUnsignedString(a.asU32()));
            } else {
                sb.append(d.length).append(" bytes");
            }
        }
        return sb.toString();
    }
}
