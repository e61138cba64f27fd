package dev.kctx.mechanisms.genetlink;

import dev.kctx.mechanisms.netlink.Nla;
import dev.kctx.mechanisms.netlink.NlMsg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A generic netlink message: nlmsghdr (its type is the family id), genlmsghdr (cmd, version, a
 * reserved 16 bits) and TLV attributes.
 */
public record GenlMsg(int cmd, int version, List<Nla> attrs) {
    /** GENL_HDRLEN: NLMSG_ALIGN(sizeof(struct genlmsghdr)). */
    public static final int GENL_HDRLEN = 4;

    public GenlMsg {
        attrs = List.copyOf(attrs);
    }

    /** genlmsg_put + nla_put: the netlink message for family {@code familyId}. */
    public NlMsg toNlMsg(int familyId, int flags, int seq, int portId) {
        byte[] a = Nla.encode(attrs);
        ByteBuffer b = ByteBuffer.allocate(GENL_HDRLEN + a.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) cmd).put((byte) version).putShort((short) 0).put(a);
        return new NlMsg(familyId, flags, seq, portId, b.array());
    }

    /** The genlmsghdr and attributes of {@code m}, or null when its payload is shorter than GENL_HDRLEN. */
    public static GenlMsg parse(NlMsg m) {
        byte[] p = m.payload();
        if (p.length < GENL_HDRLEN) {
            return null;
        }
        return new GenlMsg(Byte.toUnsignedInt(p[0]), Byte.toUnsignedInt(p[1]), Nla.decode(attrBytes(m)));
    }

    /** The attribute stream after the genlmsghdr (genlmsg_data). */
    public static byte[] attrBytes(NlMsg m) {
        byte[] p = m.payload();
        return p.length < GENL_HDRLEN ? new byte[0] : Arrays.copyOfRange(p, GENL_HDRLEN, p.length);
    }

    /** The first attribute of {@code type}, or null. */
    public Nla attr(int type) {
        return attrs.stream().filter(a -> a.kind() == type).findFirst().orElse(null);
    }
}
