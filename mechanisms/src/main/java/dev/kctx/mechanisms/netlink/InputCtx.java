package dev.kctx.mechanisms.netlink;

import dev.kctx.actors.program.Exec;
import dev.kctx.contexts.KernelCall;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;

import java.util.Iterator;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.ToIntFunction;

/**
 * What an input function sees: the datagram (its messages, the sender's port id and credentials,
 * as NETLINK_CB(skb) holds them) and the kernel calls it may make, in the context it runs in. Costs
 * it adds are charged to that context.
 */
public final class InputCtx {
    /** What a request handler returns to {@link #rcvSkb} to say "no ACK: a dump answers instead". */
    public static final int DUMP_STARTED = Integer.MIN_VALUE;

    private final Exec exec;
    private final Netlink netlink;
    private final Netlink.Sock ksock;
    private final Netlink.Skb skb;
    private final LongConsumer charge;

    InputCtx(Exec exec, Netlink netlink, Netlink.Sock ksock, Netlink.Skb skb, LongConsumer charge) {
        this.exec = exec;
        this.netlink = netlink;
        this.ksock = ksock;
        this.skb = skb;
        this.charge = charge;
    }

    public Exec exec() {
        return exec;
    }

    /** The family (netlink protocol number). */
    public int unit() {
        return ksock.unit();
    }

    /** The kernel socket the datagram came to. */
    public Netlink.Sock socket() {
        return ksock;
    }

    public List<NlMsg> messages() {
        return skb.msgs();
    }

    /** NETLINK_CB(skb).portid: the sender's port id, where replies go. */
    public int portId() {
        return skb.srcPortId();
    }

    /** The sender's credentials (netlink_capable checks these). */
    public Cred cred() {
        return skb.cred();
    }

    /** netlink_capable(skb, cap). */
    public boolean capable(Cred.Cap cap) {
        return skb.cred().capable(cap);
    }

    public void printk(String line) {
        exec.printk(line);
    }

    /** Kernel work of {@code ns}, charged to the context the input runs in. */
    public void compute(long ns) {
        charge.accept(ns);
    }

    /** Any kernel call through the gate. */
    public boolean check(KernelCall call, String op) {
        return exec.check(call, op);
    }

    /** nlmsg_new / genlmsg_new: the allocation passes the gate with its GFP flags. */
    public void nlmsgNew(int payload, boolean gfpAtomic) {
        exec.check(gfpAtomic ? KernelCall.ALLOC_SKB_GFP_ATOMIC : KernelCall.ALLOC_SKB_GFP_KERNEL,
                () -> "nlmsg_new(" + payload + ", " + (gfpAtomic ? "GFP_ATOMIC" : "GFP_KERNEL") + ")");
    }

    /**
     * nlmsg_unicast(sk, skb, portid): netlink_unicast with MSG_DONTWAIT. Returns 0, or -EAGAIN when
     * the receiver's queue is full (it is marked overrun), -ECONNREFUSED when nobody holds the port.
     */
    public int unicast(int portId, NlMsg msg) {
        Netlink.SendResult r = netlink.kernelUnicast(exec, ksock, List.of(msg), portId, true, charge,
                () -> "nlmsg_unicast(" + Integer.toUnsignedString(portId) + ")");
        return r instanceof Netlink.SendResult.Failed f ? f.errno().negative() : 0;
    }

    /** netlink_broadcast(sk, skb, 0, group, gfp): 0 when someone got it, -ESRCH when nobody listens. */
    public int broadcast(int group, NlMsg msg, boolean gfpAtomic) {
        return netlink.kernelBroadcast(exec, ksock, List.of(msg), 0, group, gfpAtomic, charge,
                () -> "netlink_broadcast(group " + group + ")");
    }

    /** netlink_ack: an NLMSG_ERROR with {@code err} (0: the ACK) to the sender. */
    public void ack(NlMsg request, int err) {
        unicast(portId(), NlMsg.error(request, err == 0 ? null : Errno.byNumber(err)));
    }

    /**
     * netlink_rcv_skb: calls {@code handler} for each request message (NLM_F_REQUEST, type at least
     * NLMSG_MIN_TYPE); the handler returns 0 or -errno (or throws KernelError). An error, or
     * NLM_F_ACK, is answered with an NLMSG_ERROR; {@link #DUMP_STARTED} is not answered.
     */
    public void rcvSkb(ToIntFunction<NlMsg> handler) {
        for (NlMsg m : messages()) {
            int err = 0;
            if (m.has(NlMsg.NLM_F_REQUEST) && m.type() >= NlMsg.NLMSG_MIN_TYPE) {
                try {
                    err = handler.applyAsInt(m);
                } catch (KernelError e) {
                    err = e.errno().negative();
                }
            }
            if (err == DUMP_STARTED) {
                continue;
            }
            if (err != 0) {
                netlink.countError(ksock, Errno.byNumber(err));
            }
            if (m.has(NlMsg.NLM_F_ACK) || err != 0) {
                ack(m, err);
            }
        }
    }

    /**
     * netlink_dump_start: answers {@code request} with the messages of {@code parts} (each gets
     * NLM_F_MULTI), packed into datagrams of at most NLMSG_GOODSIZE, then NLMSG_DONE. The first
     * datagram goes out now; the next each time the requester's recvmsg finds its queue at most half
     * full, as netlink_recvmsg does. Returns {@link #DUMP_STARTED} for the handler to return.
     */
    public int dumpStart(NlMsg request, Iterator<NlMsg> parts) {
        netlink.dumpStart(exec, ksock, portId(), request, parts, charge);
        return DUMP_STARTED;
    }
}
