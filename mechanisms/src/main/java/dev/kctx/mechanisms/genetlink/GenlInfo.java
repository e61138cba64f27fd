package dev.kctx.mechanisms.genetlink;

import dev.kctx.mechanisms.netlink.InputCtx;
import dev.kctx.mechanisms.netlink.Nla;
import dev.kctx.mechanisms.netlink.NlMsg;

import java.util.List;
import java.util.Map;

/**
 * struct genl_info: what a command handler gets — the request's sequence number and sender port,
 * its headers, the attributes parsed against the family's policy — and the calls it makes to
 * answer, in the context the NETLINK_GENERIC input runs in (the sender's sendmsg).
 */
public final class GenlInfo {
    private final InputCtx in;
    private final Genetlink.Registered family;
    private final NlMsg nlhdr;
    private final GenlMsg genlhdr;
    private final Map<Integer, Nla> attrs;

    GenlInfo(InputCtx in, Genetlink.Registered family, NlMsg nlhdr, GenlMsg genlhdr, Map<Integer, Nla> attrs) {
        this.in = in;
        this.family = family;
        this.nlhdr = nlhdr;
        this.genlhdr = genlhdr;
        this.attrs = Map.copyOf(attrs);
    }

    public int sndSeq() {
        return nlhdr.seq();
    }

    /** info->snd_portid: where replies go. */
    public int sndPortId() {
        return in.portId();
    }

    public NlMsg nlhdr() {
        return nlhdr;
    }

    public int cmd() {
        return genlhdr.cmd();
    }

    public int version() {
        return genlhdr.version();
    }

    /** info->attrs[type], or null. */
    public Nla attr(int type) {
        return attrs.get(type);
    }

    public Map<Integer, Nla> attrs() {
        return attrs;
    }

    public int familyId() {
        return family.id();
    }

    public InputCtx in() {
        return in;
    }

    public void printk(String line) {
        in.printk(line);
    }

    /** genlmsg_new(size, gfp): passes the gate with its GFP flags. */
    public void genlmsgNew(int size, boolean gfpAtomic) {
        in.nlmsgNew(size, gfpAtomic);
    }

    /** genlmsg_put + attributes: a message of this family (its version) to {@code portId}. */
    public NlMsg put(int portId, int seq, int flags, int cmd, List<Nla> attrs) {
        return new GenlMsg(cmd, family.family().version(), attrs).toNlMsg(family.id(), flags, seq, portId);
    }

    /** genlmsg_unicast: nlmsg_unicast, never blocking; 0 or -errno. */
    public int unicast(int portId, NlMsg msg) {
        return in.unicast(portId, msg);
    }

    /** genlmsg_reply: a GFP_KERNEL message answering the request (its seq, the sender's port). */
    public int reply(int cmd, List<Nla> attrs) {
        genlmsgNew(Genetlink.NLMSG_DEFAULT_SIZE, false);
        return unicast(sndPortId(), put(sndPortId(), sndSeq(), 0, cmd, attrs));
    }

    /** genlmsg_multicast to the family's {@code groupIndex}-th group: 0, or -ESRCH when nobody listens. */
    public int multicast(int groupIndex, NlMsg msg, boolean gfpAtomic) {
        return in.broadcast(family.groupId(groupIndex), msg, gfpAtomic);
    }
}
