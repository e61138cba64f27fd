package dev.kctx.mechanisms.netlink;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.SoftirqVector;
import dev.kctx.contexts.KernelCall;

import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Netlink calls as operations of kernel programs (kernel threads, hard and soft IRQ handlers):
 * nlmsg_new plus netlink_unicast or netlink_broadcast on a family's kernel socket. Each takes the
 * same virtual time whether it delivers or drops ({@link Netlink#SEND_NS}).
 */
public final class NetlinkOps {
    private NetlinkOps() {
    }

    /** What kernel code does with a send's return value (the bytes sent, or -errno), in the sender's context. */
    @FunctionalInterface
    public interface Result {
        void accept(Exec x, int ret);
    }

    /**
     * nlmsg_new(size, gfp) then netlink_unicast(nl_sk, skb, portid, nonblock) on family {@code unit}
     * (net/netlink/af_netlink.c netlink_unicast, netlink_attachskb). With nonblock the send to a full
     * receiver returns -EAGAIN at once (the skb is dropped, the receiver marked overrun). Blocking in
     * process context sleeps (TASK_INTERRUPTIBLE, schedule_timeout) until the receiver makes room, then
     * sends; in atomic context that sleep is "scheduling while atomic", see {@link Netlink}. A family
     * without a kernel socket (its module gone) makes this a no-op. {@code done}, when not null, gets
     * the return value: the length sent or -errno (EAGAIN, ECONNREFUSED).
     */
    public record Unicast(int unit, ToIntFunction<Exec> portId, Function<Exec, NlMsg> msg, boolean nonblock,
                          boolean gfpAtomic, Result done) implements Op {
        /** Without a use of the return value. */
        public Unicast(int unit, ToIntFunction<Exec> portId, Function<Exec, NlMsg> msg, boolean nonblock, boolean gfpAtomic) {
            this(unit, portId, msg, nonblock, gfpAtomic, null);
        }

        public Outcome execute(Exec x) {
            if (!x.retrying()) {
                x.check(gfpAtomic ? KernelCall.ALLOC_SKB_GFP_ATOMIC : KernelCall.ALLOC_SKB_GFP_KERNEL,
                        "nlmsg_new", gfpAtomic ? "GFP_ATOMIC" : "GFP_KERNEL");
            }
            Netlink nl = Netlink.get(x.kernel());
            Netlink.Sock k = nl.kernelSocket(unit);
            if (k == null) {
                return Outcome.Next.INSTANCE;
            }
            long[] cost = {0};
            Netlink.SendResult r = nl.kernelUnicast(x, k, List.of(msg.apply(x)), portId.applyAsInt(x), nonblock,
                    ns -> cost[0] += ns, this);
            if (r instanceof Netlink.SendResult.MustWait w) {
                x.kernel().waitQueue(w.queue()).addWaiter(x.waitHandle());
                x.check(KernelCall.SCHEDULE, this);
                return new Outcome.Block(w.queue(), 'S');
            }
            if (done != null) {
                done.accept(x, r instanceof Netlink.SendResult.Sent sent ? sent.len()
                        : ((Netlink.SendResult.Failed) r).errno().negative());
            }
            return new Outcome.Busy(cost[0]);
        }

        public String describe() {
            return "netlink_unicast(nl_sk[" + unit + "], skb, portid, " + (nonblock ? "MSG_DONTWAIT" : "0") + ")";
        }
    }

    /**
     * nlmsg_new(size, gfp) then netlink_broadcast(nl_sk, skb, 0, group, gfp) on family {@code unit}, or
     * nlmsg_multicast(nl_sk, skb, 0, group, gfp) (include/net/netlink.h), which is the same broadcast
     * with a positive result made 0: {@code call} names which, for reports. It never waits for a full
     * receiver (do_one_broadcast drops and marks it overrun). {@code done}, when not null, gets the
     * return value: 0, -ESRCH (nobody received it) or -ENOBUFS (a full receiver asked for
     * NETLINK_BROADCAST_ERROR).
     */
    public record Broadcast(int unit, int group, Function<Exec, NlMsg> msg, boolean gfpAtomic, String call, Result done)
            implements Op {
        /** netlink_broadcast, its return value unused. */
        public Broadcast(int unit, int group, Function<Exec, NlMsg> msg, boolean gfpAtomic) {
            this(unit, group, msg, gfpAtomic, "netlink_broadcast", null);
        }

        public Outcome execute(Exec x) {
            x.check(gfpAtomic ? KernelCall.ALLOC_SKB_GFP_ATOMIC : KernelCall.ALLOC_SKB_GFP_KERNEL,
                    "nlmsg_new", gfpAtomic ? "GFP_ATOMIC" : "GFP_KERNEL");
            Netlink nl = Netlink.get(x.kernel());
            Netlink.Sock k = nl.kernelSocket(unit);
            if (k == null) {
                return Outcome.Next.INSTANCE;
            }
            long[] cost = {0};
            int r = nl.kernelBroadcast(x, k, List.of(msg.apply(x)), 0, group, gfpAtomic, ns -> cost[0] += ns, this);
            if (done != null) {
                done.accept(x, r);
            }
            return new Outcome.Busy(cost[0]);
        }

        public String describe() {
            return call + "(nl_sk[" + unit + "], skb, 0, " + group + ", " + (gfpAtomic ? "GFP_ATOMIC" : "GFP_KERNEL") + ")";
        }
    }

    /** The soft IRQ handler body that runs the inputs of families created with {@code Config.inSoftirq(v)}. */
    public static Program softirqInput(SoftirqVector v) {
        return Program.of(new RunInputs(v));
    }

    /** Runs the datagrams waiting for the soft-IRQ inputs of vector {@code v}. */
    public record RunInputs(SoftirqVector vector) implements Op {
        public Outcome execute(Exec x) {
            long cost = Netlink.get(x.kernel()).runSoftirqInputs(x, vector);
            return cost > 0 ? new Outcome.Busy(cost) : Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "netlink_rcv (" + vector + ")";
        }
    }
}
