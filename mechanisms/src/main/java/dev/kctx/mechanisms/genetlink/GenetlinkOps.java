package dev.kctx.mechanisms.genetlink;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import dev.kctx.contexts.KernelCall;
import dev.kctx.mechanisms.netlink.NetlinkOps;

import java.util.function.ToIntFunction;

/**
 * Generic netlink sends as operations of kernel programs (any context): genlmsg_new, genlmsg_put and
 * genlmsg_unicast or genlmsg_multicast on a registered family, found by name when the operation
 * runs (a family not registered, its module gone, makes it a no-op). Both go through
 * {@link dev.kctx.mechanisms.netlink.Netlink}'s queue rules on NETLINK_GENERIC.
 */
public final class GenetlinkOps {
    private GenetlinkOps() {
    }

    private static void allocate(Exec x, boolean gfpAtomic) {
        x.check(gfpAtomic ? KernelCall.ALLOC_SKB_GFP_ATOMIC : KernelCall.ALLOC_SKB_GFP_KERNEL,
                "genlmsg_new", gfpAtomic ? "GFP_ATOMIC" : "GFP_KERNEL");
    }

    /**
     * genlmsg_new(size, gfp) then genlmsg_unicast(&init_net, skb, portid): never blocks (MSG_DONTWAIT);
     * {@code done} (may be null) gets 0, -EAGAIN or -ECONNREFUSED. See {@link Genetlink#unicast}.
     */
    public record Unicast(String family, ToIntFunction<Exec> portId, GenlMsg msg, boolean gfpAtomic, NetlinkOps.Result done)
            implements Op {
        public Outcome execute(Exec x) {
            allocate(x, gfpAtomic);
            Genetlink g = Genetlink.get(x.kernel());
            Genetlink.Registered f = g.byName(family);
            if (f == null) {
                return Outcome.Next.INSTANCE;
            }
            long[] cost = {0};
            int r = g.unicast(x, f, portId.applyAsInt(x), msg, ns -> cost[0] += ns);
            if (done != null) {
                done.accept(x, r);
            }
            return new Outcome.Busy(cost[0]);
        }

        public String describe() {
            return "genlmsg_unicast(" + family + ")";
        }
    }

    /**
     * genlmsg_new(size, gfp) then genlmsg_multicast(&family, skb, 0, group, gfp): the family's group
     * (by its index in the family's mcgrps) gets a copy per subscriber; a full one is dropped and
     * overrun, never waited for. {@code done} (may be null) gets 0, -ESRCH or -ENOBUFS.
     */
    public record Multicast(String family, String group, GenlMsg msg, boolean gfpAtomic, NetlinkOps.Result done) implements Op {
        public Outcome execute(Exec x) {
            allocate(x, gfpAtomic);
            Genetlink g = Genetlink.get(x.kernel());
            Genetlink.Registered f = g.byName(family);
            int index = f == null ? -1 : f.family().mcgrps().indexOf(group);
            if (index < 0) {
                return Outcome.Next.INSTANCE;
            }
            long[] cost = {0};
            int r = g.multicast(x, f, index, msg, gfpAtomic, ns -> cost[0] += ns);
            if (done != null) {
                done.accept(x, r);
            }
            return new Outcome.Busy(cost[0]);
        }

        public String describe() {
            return "genlmsg_multicast(" + family + ", " + group + ", " + (gfpAtomic ? "GFP_ATOMIC" : "GFP_KERNEL") + ")";
        }
    }
}
