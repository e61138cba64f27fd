package dev.kctx.mechanisms.genetlink;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.netlink.NetlinkProtocol;
import dev.kctx.mechanisms.netlink.NetlinkUser;
import dev.kctx.mechanisms.netlink.NlMsg;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Generic netlink calls of a user program on a NETLINK_GENERIC socket (opened with
 * {@link NetlinkUser#socket}): a request to the kernel, and a receive that decodes what came back.
 * The decoded replies are in the task's {@link Regs} under {@link #REPLIES} (the first under
 * {@link #REPLY}); after a failed recvmsg both are empty and the netlink error is in
 * {@link NetlinkUser#REPLY}.
 */
public final class GenlUser {
    public static final String REPLY = "genl.reply";
    public static final String REPLIES = "genl.replies";

    private GenlUser() {
    }

    /** sendto(fd, request, {AF_NETLINK, 0, 0}): nlmsg_seq {@code seq}, nlmsg_pid the caller's pid. */
    public static List<Op> send(String fdVar, int seq, Function<Exec, GenlProtocol.Request> request) {
        return NetlinkUser.sendmsg(fdVar, x -> List.of(request.apply(x).toNlMsg(seq, x.pid())), 0, 0, false);
    }

    /** recv(fd): one datagram, its messages decoded. */
    public static List<Op> recv(String fdVar) {
        List<Op> ops = new ArrayList<>(NetlinkUser.recvmsg(fdVar, false));
        ops.add(Sys.act("genl_decode", x -> {
            Regs r = Sys.regs(x);
            NetlinkProtocol.Received rc = NetlinkUser.received(r);
            List<GenlProtocol.Reply> replies = new ArrayList<>();
            if (rc != null) {
                for (NlMsg m : rc.msgs()) {
                    replies.add(GenlProtocol.decode(m));
                }
            }
            r.vars.put(REPLIES, List.copyOf(replies));
            if (replies.isEmpty()) {
                r.vars.remove(REPLY);
            } else {
                r.vars.put(REPLY, replies.get(0));
            }
        }));
        return ops;
    }

    /** The first message of the last {@link #recv}, or null. */
    public static GenlProtocol.Reply reply(Regs r) {
        return (GenlProtocol.Reply) r.vars.get(REPLY);
    }

    /** Every message of the last {@link #recv}. */
    @SuppressWarnings("unchecked")
    public static List<GenlProtocol.Reply> replies(Regs r) {
        return (List<GenlProtocol.Reply>) r.vars.getOrDefault(REPLIES, List.of());
    }
}
