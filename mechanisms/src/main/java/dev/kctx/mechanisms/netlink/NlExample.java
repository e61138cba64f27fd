package dev.kctx.mechanisms.netlink;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Option;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Received;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A raw netlink family end to end: module {@code nlexample} creates family 31 (NETLINK_USER, as the
 * classic examples name it) whose input runs in the sender's sendmsg and understands three requests:
 * any text is answered with a unicast {@code hello from kernel, you said: TEXT}; {@code multicast
 * TEXT} is broadcast to group 1; {@code flood N} sends N messages back without blocking. Programs:
 * {@code nlsend TEXT} (unicast both ways, with an ACK), {@code nlmcast TEXT} (two sockets subscribed
 * to group 1), {@code nlflood N} (a 2280-byte receive buffer overflows: ENOBUFS once, then the
 * messages that fitted).
 */
public final class NlExample {
    public static final String NAME = "nlexample";
    /** The family's protocol number. */
    public static final int NETLINK_USER = 31;
    /** The one message type of the family. */
    public static final int NLEX_MSG = NlMsg.NLMSG_MIN_TYPE;
    public static final int GROUP = 1;

    private NlExample() {
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(), NlExample::init, m -> m.printk(NAME + ": family " + NETLINK_USER + " released"));
    }

    private static int init(ModuleCtx m) {
        Netlink nl = Netlink.get(m.ctx().kernel());
        Netlink.Sock sk = nl.kernelCreate(m, NETLINK_USER, Netlink.Config.of(NlExample::input).withGroups(1));
        if (sk == null) {
            m.printk(NAME + ": Error creating socket.");
            return Errno.ENOMEM.negative();
        }
        m.printk(NAME + ": netlink family " + NETLINK_USER + " created");
        return 0;
    }

    /** nl_recv_msg: runs in the sender's sendmsg. */
    private static void input(InputCtx in) {
        in.rcvSkb(msg -> {
            String text = msg.text();
            String from = Integer.toUnsignedString(in.portId());
            in.printk(NAME + ": received \"" + text + "\" from port " + from + " (seq " + msg.seq() + ")");
            if (text.startsWith("flood ")) {
                int n = dev.kctx.mechanisms.user.Libc.atoi(text.substring(6));
                int failed = 0;
                for (int i = 1; i <= n; i++) {
                    in.nlmsgNew(32, false);
                    if (in.unicast(in.portId(), NlMsg.ofText(NLEX_MSG, 0, msg.seq(), 0, "message " + i + " of " + n)) < 0) {
                        failed++;
                    }
                }
                in.printk(NAME + ": flood: " + (n - failed) + " queued, " + failed + " failed with EAGAIN");
            } else if (text.startsWith("multicast ")) {
                in.nlmsgNew(64, false);
                int rc = in.broadcast(GROUP, NlMsg.ofText(NLEX_MSG, 0, 0, 0, text.substring(10)), false);
                in.printk(NAME + ": multicast to group " + GROUP + ": " + (rc == 0 ? "delivered" : "nobody listens"));
            } else {
                in.nlmsgNew(64, false);
                in.unicast(in.portId(), NlMsg.ofText(NLEX_MSG, 0, msg.seq(), 0, "hello from kernel, you said: " + text));
            }
            return 0;
        });
    }

    /** The machine's programs: {@code nlsend}, {@code nlmcast}, {@code nlflood}. */
    public static Map<String, Function<List<String>, List<Op>>> programs() {
        return Map.of("nlsend", NlExample::nlsend, "nlmcast", NlExample::nlmcast, "nlflood", NlExample::nlflood);
    }

    private static List<NlMsg> text(Exec x, int flags, int seq, String t) {
        return List.of(NlMsg.ofText(NLEX_MSG, NlMsg.NLM_F_REQUEST | flags, seq, x.pid(), t));
    }

    /** nlsend TEXT: the message to the kernel with NLM_F_ACK; prints the answer and the ACK. */
    public static List<Op> nlsend(List<String> args) {
        String t = String.join(" ", args);
        List<Op> ops = new ArrayList<>(NetlinkUser.socket("fd", NETLINK_USER));
        ops.addAll(NetlinkUser.bind("fd", 0, 0));
        ops.addAll(NetlinkUser.sendmsg("fd", x -> text(x, NlMsg.NLM_F_ACK, 1, t), 0, 0, false));
        ops.add(Sys.act("nlsend", x -> report(x, "sendmsg")));
        for (int i = 0; i < 2; i++) {
            ops.addAll(NetlinkUser.recvmsg("fd", false));
            ops.add(Sys.act("nlsend", NlExample::printReceived));
        }
        return ops;
    }

    /** nlmcast TEXT: two sockets subscribe to group 1; the first asks the kernel to multicast; both read it. */
    public static List<Op> nlmcast(List<String> args) {
        String t = String.join(" ", args);
        // One subscribes with setsockopt after bind, the other with bind's nl_groups.
        List<Op> ops = new ArrayList<>(NetlinkUser.socket("a", NETLINK_USER));
        ops.addAll(NetlinkUser.bind("a", 0, 0));
        ops.addAll(NetlinkUser.setsockopt("a", Option.NETLINK_ADD_MEMBERSHIP, GROUP));
        ops.addAll(NetlinkUser.socket("b", NETLINK_USER));
        ops.addAll(NetlinkUser.bind("b", 0, 1 << (GROUP - 1)));
        ops.addAll(NetlinkUser.sendmsg("a", x -> text(x, 0, 1, "multicast " + t), 0, 0, false));
        for (String fd : List.of("a", "b")) {
            ops.addAll(NetlinkUser.recvmsg(fd, false));
            ops.add(Sys.act("nlmcast", x -> {
                Received r = NetlinkUser.received(Sys.regs(x));
                if (Sys.regs(x).failed() || r == null || r.msgs().isEmpty()) {
                    // The C program's perror: recvmsg on a socket() that failed (no module) is EBADF.
                    x.console("recvmsg: " + (Sys.regs(x).failed() ? Sys.regs(x).errno.text() : "no message"));
                    return;
                }
                x.console("subscriber " + fd + " got \"" + r.msgs().get(0).text() + "\" (group " + r.group() + ")");
            }));
        }
        return ops;
    }

    /** nlflood N: SO_RCVBUF 1 (the kernel makes it 2280), asks for N messages, then reads until EAGAIN. */
    public static List<Op> nlflood(List<String> args) {
        int n = args.isEmpty() ? 0 : dev.kctx.mechanisms.user.Libc.atoi(args.get(0));
        List<Op> ops = new ArrayList<>(NetlinkUser.socket("fd", NETLINK_USER));
        ops.addAll(NetlinkUser.bind("fd", 0, 0));
        ops.addAll(NetlinkUser.setsockopt("fd", Option.SO_RCVBUF, 1));
        ops.add(Sys.act("nlflood", x -> x.console(NetlinkUser.reply(Sys.regs(x)) instanceof NetlinkProtocol.OptionSet o
                ? "SO_RCVBUF is " + o.value() : "setsockopt: " + Sys.regs(x).errno.text())));
        ops.addAll(NetlinkUser.sendmsg("fd", x -> text(x, 0, 1, "flood " + n), 0, 0, false));
        ops.add(Sys.user("nlflood", x -> drain(0, n)));
        return ops;
    }

    private static List<Op> drain(int got, int asked) {
        List<Op> ops = new ArrayList<>(NetlinkUser.recvmsg("fd", true));
        ops.add(Sys.user("nlflood", x -> {
            Regs r = Sys.regs(x);
            if (r.failed() && r.errno != Errno.ENOBUFS) {
                // EAGAIN: drained. Anything else (EBADF when socket() failed) ends the loop too, after perror.
                if (r.errno != Errno.EAGAIN) {
                    printReceived(x);
                }
                x.console("received " + got + " of " + asked + " messages");
                return List.of();
            }
            printReceived(x);
            return drain(r.failed() ? got : got + 1, asked);
        }));
        return ops;
    }

    /** Prints a sendmsg result: "sent N bytes to the kernel" or the error text. */
    public static void report(Exec x, String call) {
        Regs r = Sys.regs(x);
        if (r.failed()) {
            x.console(call + ": " + r.errno.text());
        } else {
            x.console("sent " + r.ret + " bytes to the kernel");
        }
    }

    /** Prints what the last recvmsg got: "kernel says: TEXT", "ACK for seq N", "error ENAME for seq N", or the errno. */
    public static void printReceived(Exec x) {
        Regs r = Sys.regs(x);
        if (r.failed()) {
            x.console("recvmsg: " + r.errno.text());
            return;
        }
        for (NlMsg m : NetlinkUser.received(r).msgs()) {
            if (m.type() == NlMsg.NLMSG_ERROR) {
                x.console(m.error() == 0 ? "ACK for seq " + m.seq() : "error " + Errno.byNumber(m.error()).name() + " for seq " + m.seq());
            } else {
                x.console("kernel says: " + m.text());
            }
        }
    }
}
