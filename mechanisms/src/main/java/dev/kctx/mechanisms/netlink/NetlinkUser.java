package dev.kctx.mechanisms.netlink;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Failed;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Opened;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Option;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Received;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Reply;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Request;
import dev.kctx.mechanisms.netlink.NetlinkProtocol.Sent;
import dev.kctx.mechanisms.sock.SocketCall;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.IoResult;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The netlink calls of a user program, as operations: each is a system call whose kernel side runs
 * in the process's context. The result is in the task's {@link Regs}: {@code ret} and {@code errno}
 * as libc returns them, {@code data} the bytes received, and the call's {@link Reply} under
 * {@link #REPLY}. Descriptors live in named variables; a variable never set reads as -1.
 */
public final class NetlinkUser {
    /** The Regs variable holding the last call's {@link Reply} (a {@link Failed} on error). */
    public static final String REPLY = "netlink.reply";

    private NetlinkUser() {
    }

    /** socket(AF_NETLINK, SOCK_RAW, protocol); the descriptor (or -1) goes to variable {@code fdVar}. */
    public static List<Op> socket(String fdVar, int protocol) {
        return call("socket", fdVar, x -> new NetlinkProtocol.Socket(protocol));
    }

    /** bind(fd, {AF_NETLINK, portId, groups}). */
    public static List<Op> bind(String fdVar, int portId, int groups) {
        return call("bind", null, x -> new NetlinkProtocol.Bind(fd(Sys.regs(x), fdVar), portId, groups));
    }

    /** setsockopt(fd, SOL_SOCKET or SOL_NETLINK, option, &value). */
    public static List<Op> setsockopt(String fdVar, Option option, int value) {
        return call("setsockopt", null, x -> new NetlinkProtocol.SetSockOpt(fd(Sys.regs(x), fdVar), option, value));
    }

    /**
     * sendmsg(fd, msgs, {AF_NETLINK, dstPortId, dstGroups}, dontWait ? MSG_DONTWAIT : 0); the messages
     * are made when the call runs, from the process's state (its pid, a family id found earlier in
     * its registers).
     */
    public static List<Op> sendmsg(String fdVar, Function<Exec, List<NlMsg>> msgs, int dstPortId, int dstGroups,
                                   boolean dontWait) {
        List<Op> ops = new ArrayList<>(call("sendmsg", null,
                x -> new NetlinkProtocol.SendMsg(fd(Sys.regs(x), fdVar), msgs.apply(x), dstPortId, dstGroups, dontWait)));
        // Between the kernel side and the return: a soft-IRQ input queued by this call runs now.
        ops.add(2, SoftirqKick.INSTANCE);
        return ops;
    }

    /** recvmsg(fd, dontWait ? MSG_DONTWAIT : 0): one datagram; its messages are in {@link #received}. */
    public static List<Op> recvmsg(String fdVar, boolean dontWait) {
        return call("recvmsg", null, x -> new NetlinkProtocol.RecvMsg(fd(Sys.regs(x), fdVar), dontWait));
    }

    public static List<Op> close(String fdVar) {
        return call("close", null, x -> new NetlinkProtocol.Close(fd(Sys.regs(x), fdVar)));
    }

    /** The last call's reply. */
    public static Reply reply(Regs r) {
        return (Reply) r.vars.get(REPLY);
    }

    /** The datagram the last recvmsg returned, or null if it failed. */
    public static Received received(Regs r) {
        return r.vars.get(REPLY) instanceof Received rc ? rc : null;
    }

    /** The descriptor in {@code var}, or -1 (what a failed socket() left there). */
    public static int fd(Regs r, String var) {
        return r.fd(var);
    }

    /** One system call running {@code request}; a successful socket() stores its descriptor in {@code fdVar}. */
    static List<Op> call(String syscall, String fdVar, Function<Exec, Request> request) {
        return SocketCall.call(syscall, fdVar, REPLY, request, FAMILY);
    }

    /** Netlink's side of a socket call. */
    private static final SocketCall.Family<Request, Reply> FAMILY = SocketCall.family(
            (c, request) -> Netlink.get(c.kernel()).handle(c, request), Failed::new,
            rep -> rep instanceof Received r ? new IoResult.Done(r.bytes(), NlMsg.encode(r.msgs())) : null,
            rep -> rep instanceof NetlinkProtocol.Blocked b ? b.queue() : null);

    /** Runs, before sendmsg returns, the soft IRQ a netlink input of mode SOFTIRQ needs. */
    enum SoftirqKick implements Op {
        INSTANCE;

        public Outcome execute(Exec x) {
            return Netlink.kick(x);
        }

        public String describe() {
            return "local_bh_enable()";
        }

        public boolean traced() {
            return false;
        }
    }
}
