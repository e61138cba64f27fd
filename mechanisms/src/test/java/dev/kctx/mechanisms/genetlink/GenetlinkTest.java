package dev.kctx.mechanisms.genetlink;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.NetMachine;
import dev.kctx.mechanisms.Transcripts;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.netlink.Netlink;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Option;
import dev.kctx.mechanisms.netlink.NetlinkUser;
import dev.kctx.mechanisms.netlink.Nla;
import dev.kctx.mechanisms.netlink.NlMsg;
import dev.kctx.mechanisms.netlink.NlaPolicy;
import dev.kctx.mechanisms.shell.Shell;
import dev.kctx.mechanisms.user.Sys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static dev.kctx.contexts.Durations.ms;
import static dev.kctx.mechanisms.Progs.program;
import static dev.kctx.mechanisms.Progs.setuid;
import static dev.kctx.mechanisms.Progs.showGenl;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Generic netlink: the registry, nlctrl, commands, policies, permissions, multicast, dumps and every NACK. */
class GenetlinkTest {
    static final ActorTestKit testKit = ActorTestKit.create();
    static final int ECHO = 1;
    static final int ADMIN = 2;
    static final int NOTIFY = 3;
    static final int LIST = 4;
    static final int A_MSG = 1;
    static final int A_NUM = 2;

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static GenlFamily family(String name) {
        return new GenlFamily(name, 2, 2,
                NlaPolicy.table(A_MSG, NlaPolicy.of(NlaPolicy.Type.NUL_STRING), A_NUM, NlaPolicy.of(NlaPolicy.Type.U32)),
                List.of(GenlOp.doit(ECHO, 0, i -> i.reply(ECHO, List.of(Nla.string(A_MSG, "echo " + text(i))))),
                        GenlOp.doit(ADMIN, Genetlink.GENL_ADMIN_PERM, i -> i.reply(ADMIN, List.of(Nla.string(A_MSG, "admin ok")))),
                        GenlOp.doit(NOTIFY, 0, GenetlinkTest::notify),
                        new GenlOp(LIST, 0, null, GenetlinkTest::list)),
                List.of("events"));
    }

    static String text(GenlInfo i) {
        return i.attr(A_MSG) == null ? "(none)" : i.attr(A_MSG).asString();
    }

    static NlMsg item(GenlInfo i, int n) {
        return i.put(i.sndPortId(), i.sndSeq(), 0, LIST, List.of(Nla.string(A_MSG, "item " + n)));
    }

    static List<NlMsg> list(GenlInfo i) {
        int n = i.attr(A_NUM) == null ? 3 : i.attr(A_NUM).asU32();
        List<NlMsg> out = new ArrayList<>();
        for (int k = 1; k <= n; k++) {
            out.add(item(i, k));
        }
        return out;
    }

    static int notify(GenlInfo i) {
        i.genlmsgNew(64, false);
        int rc = i.multicast(0, i.put(0, 0, 0, NOTIFY, List.of(Nla.string(A_MSG, "event: " + text(i)))), false);
        i.printk("gtest: multicast: " + rc);
        return 0;
    }

    static ModuleDef module(String name, String familyName) {
        return new ModuleDef(name, List.of(), m -> {
            Genetlink.get(m.ctx().kernel()).register(m, family(familyName));
            return 0;
        }, null);
    }

    static final List<ModuleDef> MODULES = List.of(module("gtest", "kctx_test"), module("gtest2", "kctx_test"),
            module("gother", "kctx_other"), GnExample.module());

    static List<Op> sh(String cmd) {
        return List.of(Shell.command(cmd));
    }

    static int id(Exec x) {
        return (Integer) Sys.regs(x).vars.getOrDefault("id", -1);
    }

    /** request, recv, show. */
    static List<Op> ask(String label, int seq, Function<Exec, GenlProtocol.Request> req) {
        List<Op> ops = new ArrayList<>(GenlUser.send("g", seq, req));
        ops.addAll(GenlUser.recv("g"));
        ops.add(showGenl(label));
        return ops;
    }

    static Op rememberId() {
        return Sys.act("remember", x -> {
            if (GenlUser.reply(Sys.regs(x)) instanceof GenlProtocol.NewFamily f) {
                Sys.regs(x).vars.put("id", f.id());
            }
        });
    }

    /** Swaps the descriptors in "g" and {@code other}, so that the helpers read from the other socket. */
    static Op swap(String other) {
        return Sys.act("swap", x -> {
            var v = Sys.regs(x).vars;
            Object g = v.get("g");
            v.put("g", v.get(other));
            v.put(other, g);
        });
    }

    static GenlProtocol.Request cmd(Exec x, int cmd, List<Nla> attrs) {
        return new GenlProtocol.Command(id(x), cmd, 2, attrs, 0);
    }

    RunResult run(NetMachine m, List<Op> ops) {
        return m.run(testKit, m.builder(MODULES, Map.of()).process("genl", 0, 0, program(ops), 4400).build(), ms(50));
    }

    static List<Op> open() {
        return dev.kctx.mechanisms.Progs.ops(NetlinkUser.socket("g", Netlink.NETLINK_GENERIC), NetlinkUser.bind("g", 0, 0));
    }

    @Test
    @DisplayName("nlctrl resolves a name to the id it assigned (0x13 first, GENL_START_ALLOC) or answers ENOENT; by id too; EINVAL without either or for a name longer than GENL_NAMSIZ-1")
    void resolve() {
        NetMachine m = new NetMachine();
        RunResult r = run(m, dev.kctx.mechanisms.Progs.ops(sh("insmod gtest.ko"), open(),
                ask("kctx_test", 1, x -> new GenlProtocol.GetFamily("kctx_test")), rememberId(),
                ask("by id", 2, x -> new GenlProtocol.Command(Genetlink.GENL_ID_CTRL, Genetlink.CTRL_CMD_GETFAMILY, 1,
                        List.of(Nla.u16(Genetlink.CTRL_ATTR_FAMILY_ID, id(x))), 0)),
                ask("nlctrl", 3, x -> new GenlProtocol.GetFamily("nlctrl")),
                ask("nosuch", 4, x -> new GenlProtocol.GetFamily("nosuch")),
                ask("no attributes", 5, x -> new GenlProtocol.Command(Genetlink.GENL_ID_CTRL, Genetlink.CTRL_CMD_GETFAMILY, 1, List.of(), 0)),
                ask("16-character name", 6, x -> new GenlProtocol.GetFamily("ABCDEFGHIJKLMNOP"))));
        assertEquals(List.of(
                "# insmod gtest.ko",
                "kctx_test: family kctx_test id 0x13 version 2 groups {events=2}",
                "by id: family kctx_test id 0x13 version 2 groups {events=2}",
                "nlctrl: family nlctrl id 0x10 version 2 groups {notify=16}",
                "nosuch: NACK ENOENT",
                "no attributes: NACK EINVAL",
                "16-character name: NACK EINVAL"), Transcripts.console(r), "the session");
    }

    @Test
    @DisplayName("commands: a reply, an ACK after it with NLM_F_ACK; EOPNOTSUPP for an unknown command, EPERM for GENL_ADMIN_PERM without CAP_NET_ADMIN, EINVAL for policy violations and bad headers, ENOENT for an unknown family id")
    void commands() {
        NetMachine m = new NetMachine();
        RunResult r = run(m, dev.kctx.mechanisms.Progs.ops(sh("insmod gtest.ko"), open(),
                ask("resolve", 1, x -> new GenlProtocol.GetFamily("kctx_test")), rememberId(),
                ask("echo", 2, x -> cmd(x, ECHO, List.of(Nla.string(A_MSG, "hi")))),
                ask("echo without attributes", 3, x -> cmd(x, ECHO, List.of())),
                ask("echo with NLM_F_ACK", 4, x -> new GenlProtocol.Command(id(x), ECHO, 2, List.of(Nla.string(A_MSG, "ack me")), NlMsg.NLM_F_ACK)),
                GenlUser.recv("g"), showGenl("then"),
                ask("unknown command", 5, x -> cmd(x, 9, List.of())),
                ask("dump of a do-only command", 6, x -> new GenlProtocol.Command(id(x), ECHO, 2, List.of(), NlMsg.NLM_F_DUMP)),
                ask("u32 of 2 bytes", 7, x -> cmd(x, ECHO, List.of(Nla.u16(A_NUM, 1)))),
                ask("unknown attribute 3", 8, x -> cmd(x, ECHO, List.of(Nla.u32(3, 1)))),
                ask("string without NUL", 9, x -> cmd(x, ECHO, List.of(new Nla(A_MSG, new byte[]{'h', 'i'})))),
                ask("unknown family 0x100", 10, x -> new GenlProtocol.Command(0x100, ECHO, 2, List.of(), 0)),
                ask("NLM_F_MULTI on a request", 11, x -> new GenlProtocol.Command(id(x), ECHO, 2, List.of(), NlMsg.NLM_F_MULTI)),
                NetlinkUser.sendmsg("g", x -> List.of(new NlMsg(id(x), NlMsg.NLM_F_REQUEST, 12, x.pid(), new byte[]{ECHO, 2, 1, 0})),
                        0, 0, false), GenlUser.recv("g"), showGenl("genlmsghdr.reserved set"),
                NetlinkUser.sendmsg("g", x -> List.of(new NlMsg(id(x), NlMsg.NLM_F_REQUEST, 13, x.pid(), new byte[]{ECHO})),
                        0, 0, false), GenlUser.recv("g"), showGenl("short genlmsghdr"),
                ask("admin as root", 14, x -> cmd(x, ADMIN, List.of())),
                setuid(1000),
                ask("admin as uid 1000", 15, x -> cmd(x, ADMIN, List.of())),
                ask("echo as uid 1000", 16, x -> cmd(x, ECHO, List.of(Nla.string(A_MSG, "still fine"))))));
        assertEquals(List.of(
                "# insmod gtest.ko",
                "resolve: family kctx_test id 0x13 version 2 groups {events=2}",
                "echo: message cmd 1 1=echo hi",
                "echo without attributes: message cmd 1 1=echo (none)",
                "echo with NLM_F_ACK: message cmd 1 1=echo ack me",
                "then: Ack",
                "unknown command: NACK EOPNOTSUPP",
                "dump of a do-only command: NACK EOPNOTSUPP",
                "u32 of 2 bytes: NACK EINVAL",
                "unknown attribute 3: NACK EINVAL",
                "string without NUL: NACK EINVAL",
                "unknown family 0x100: NACK ENOENT",
                "NLM_F_MULTI on a request: NACK EINVAL",
                "genlmsghdr.reserved set: NACK EINVAL",
                "short genlmsghdr: NACK EINVAL",
                "admin as root: message cmd 2 1=admin ok",
                "admin as uid 1000: NACK EPERM",
                "echo as uid 1000: message cmd 1 1=echo still fine"), Transcripts.console(r), "the session");
    }

    @Test
    @DisplayName("after rmmod the family's id answers ENOENT and its name is unknown; loaded again it gets the next id (idr_alloc_cyclic), not the old one; a second family of the same name is EEXIST")
    void unloadAndIds() {
        NetMachine m = new NetMachine();
        RunResult r = run(m, dev.kctx.mechanisms.Progs.ops(sh("insmod gtest.ko"), sh("insmod gtest2.ko"), open(),
                ask("resolve", 1, x -> new GenlProtocol.GetFamily("kctx_test")), rememberId(),
                sh("rmmod gtest"),
                ask("old id", 2, x -> cmd(x, ECHO, List.of(Nla.string(A_MSG, "anyone?")))),
                ask("resolve again", 3, x -> new GenlProtocol.GetFamily("kctx_test")),
                sh("insmod gtest.ko"), sh("insmod gother.ko"),
                ask("reloaded", 4, x -> new GenlProtocol.GetFamily("kctx_test")),
                ask("other", 5, x -> new GenlProtocol.GetFamily("kctx_other"))));
        assertEquals(List.of(
                "# insmod gtest.ko",
                "# insmod gtest2.ko",
                "insmod: ERROR: could not insert module gtest2.ko: Module already loaded",
                "resolve: family kctx_test id 0x13 version 2 groups {events=2}",
                "# rmmod gtest",
                "old id: NACK ENOENT",
                "resolve again: NACK ENOENT",
                "# insmod gtest.ko",
                "# insmod gother.ko",
                "reloaded: family kctx_test id 0x14 version 2 groups {events=2}",
                "other: family kctx_other id 0x15 version 2 groups {events=3}"), Transcripts.console(r), "the session");
    }

    @Test
    @DisplayName("multicast groups: resolved through nlctrl, joined without privileges, reached by genlmsg_multicast; the family's unloading unsubscribes its listeners")
    void multicastGroups() {
        NetMachine m = new NetMachine();
        RunResult r = run(m, dev.kctx.mechanisms.Progs.ops(sh("insmod gtest.ko"), open(), setuid(1000),
                ask("resolve", 1, x -> new GenlProtocol.GetFamily("kctx_test")), rememberId(),
                NetlinkUser.socket("l", Netlink.NETLINK_GENERIC), NetlinkUser.bind("l", 7000, 0),
                NetlinkUser.setsockopt("l", Option.NETLINK_ADD_MEMBERSHIP, 2), dev.kctx.mechanisms.Progs.show("join events"),
                ask("notify", 2, x -> new GenlProtocol.Command(id(x), NOTIFY, 2, List.of(Nla.string(A_MSG, "one")), NlMsg.NLM_F_ACK)),
                swap("l"), GenlUser.recv("g"), showGenl("listener"), swap("l"),
                ask("notify again", 3, x -> new GenlProtocol.Command(id(x), NOTIFY, 2, List.of(Nla.string(A_MSG, "two")), NlMsg.NLM_F_ACK)),
                sh("dmesg"), dev.kctx.mechanisms.Progs.alive()));
        assertEquals(List.of(
                "# insmod gtest.ko",
                "resolve: family kctx_test id 0x13 version 2 groups {events=2}",
                "join events: NETLINK_ADD_MEMBERSHIP 2",
                "notify: Ack",
                "listener: message cmd 3 1=event: one",
                "notify again: Ack",
                "$ dmesg",
                "gtest: multicast: 0",
                "gtest: multicast: 0"), Transcripts.console(r), "the session");
        Netlink.Sock listener = m.netlink().lookup(Netlink.NETLINK_GENERIC, 7000);
        assertEquals(2, listener.groups(), "subscribed to group 2 (bit 1)");
        assertEquals(1, listener.queued(), "the second event waits");
    }

    @Test
    @DisplayName("rmmod unsubscribes the listeners of the family's groups and frees the group ids")
    void unloadUnsubscribes() {
        NetMachine m = new NetMachine();
        RunResult r = run(m, dev.kctx.mechanisms.Progs.ops(sh("insmod gtest.ko"),
                NetlinkUser.socket("l", Netlink.NETLINK_GENERIC), NetlinkUser.bind("l", 7000, 0),
                NetlinkUser.setsockopt("l", Option.NETLINK_ADD_MEMBERSHIP, 2),
                sh("rmmod gtest"), sh("insmod gother.ko"), open(),
                ask("other", 1, x -> new GenlProtocol.GetFamily("kctx_other")), dev.kctx.mechanisms.Progs.alive()));
        assertEquals(0, m.netlink().lookup(Netlink.NETLINK_GENERIC, 7000).groups(), "no longer subscribed");
        assertEquals("other: family kctx_other id 0x14 version 2 groups {events=2}", Transcripts.console(r).get(3),
                "group 2 was free again");
    }

    @Test
    @DisplayName("dumps: NLM_F_DUMP answers with NLM_F_MULTI messages then NLMSG_DONE; a long dump comes in datagrams of at most NLMSG_GOODSIZE, the next made as the reader's queue drains, nothing dropped even with a tiny SO_RCVBUF")
    void dumps() {
        NetMachine m = new NetMachine();
        List<Op> longDump = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            longDump.addAll(GenlUser.recv("g"));
            longDump.add(Sys.act("count", x -> {
                List<GenlProtocol.Reply> got = GenlUser.replies(Sys.regs(x));
                x.console("datagram of " + got.size() + " messages, last " + dev.kctx.mechanisms.Progs.genlText(got.get(got.size() - 1)));
            }));
        }
        RunResult r = run(m, dev.kctx.mechanisms.Progs.ops(sh("insmod gtest.ko"), open(),
                ask("families", 1, x -> new GenlProtocol.DumpFamilies()),
                ask("resolve", 2, x -> new GenlProtocol.GetFamily("kctx_test")), rememberId(),
                ask("list", 3, x -> new GenlProtocol.Command(id(x), LIST, 2, List.of(), NlMsg.NLM_F_DUMP)),
                NetlinkUser.setsockopt("g", Option.SO_RCVBUF, 1),
                GenlUser.send("g", 4, x -> new GenlProtocol.Command(id(x), LIST, 2, List.of(Nla.u32(A_NUM, 300)), NlMsg.NLM_F_DUMP)),
                longDump));
        assertEquals(List.of(
                "# insmod gtest.ko",
                "families: family nlctrl id 0x10 version 2 groups {notify=16}, family kctx_test id 0x13 version 2 groups {events=2}, Done",
                "resolve: family kctx_test id 0x13 version 2 groups {events=2}",
                "list: message cmd 4 1=item 1, message cmd 4 1=item 2, message cmd 4 1=item 3, Done",
                "datagram of 115 messages, last message cmd 4 1=item 115",
                "datagram of 104 messages, last message cmd 4 1=item 219",
                "datagram of 82 messages, last Done"), Transcripts.console(r), "items 1-99 take 32 bytes, 100-300 take 36: 3776 bytes a datagram at most");
        assertEquals(0, m.netlink().genetlinkSnapshot().droppedTotal(), "nothing dropped");
    }
}
