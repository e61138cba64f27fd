package dev.kctx.mechanisms.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One netlink attribute (struct nlattr, include/net/netlink.h): a 4-byte header (nla_len, which
 * counts the header and the data but not the padding, and nla_type) followed by the data, padded to
 * a 4-byte boundary. The top two bits of the type are flags (NLA_F_NESTED, NLA_F_NET_BYTEORDER).
 */
public record Nla(int type, byte[] data) {
    public static final int NLA_HDRLEN = 4;
    public static final int NLA_ALIGNTO = 4;
    public static final int NLA_F_NESTED = 1 << 15;
    public static final int NLA_F_NET_BYTEORDER = 1 << 14;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    public Nla {
        data = data == null ? new byte[0] : data.clone();
        if (type < 0 || type > 0xffff) {
            throw new IllegalArgumentException("nla_type is 16 bits: " + type);
        }
        if (NLA_HDRLEN + data.length > 0xffff) {
            throw new IllegalArgumentException("an attribute holds at most " + (0xffff - NLA_HDRLEN) + " bytes");
        }
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** nla_type(): the type without its flag bits. */
    public int kind() {
        return type & NLA_TYPE_MASK;
    }

    /** nla_len. */
    public int len() {
        return NLA_HDRLEN + data.length;
    }

    public static int align(int len) {
        return (len + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1);
    }

    // nla_put_* helpers.

    /** nla_put_string: the text and its NUL. */
    public static Nla string(int type, String s) {
        byte[] t = s.getBytes(StandardCharsets.UTF_8);
        return new Nla(type, Arrays.copyOf(t, t.length + 1));
    }

    public static Nla u8(int type, int v) {
        return new Nla(type, new byte[]{(byte) v});
    }

    public static Nla u16(int type, int v) {
        return new Nla(type, ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array());
    }

    public static Nla u32(int type, int v) {
        return new Nla(type, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    public static Nla u64(int type, long v) {
        return new Nla(type, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    public static Nla flag(int type) {
        return new Nla(type, new byte[0]);
    }

    /** nla_nest_start/end: the inner attributes as this attribute's data, NLA_F_NESTED set. */
    public static Nla nested(int type, List<Nla> inner) {
        return new Nla(type | NLA_F_NESTED, encode(inner));
    }

    /** nla_nest_start_noflag (older users, nlctrl's replies): nested without NLA_F_NESTED. */
    public static Nla nestedNoflag(int type, List<Nla> inner) {
        return new Nla(type, encode(inner));
    }

    // nla_get_* helpers.

    /** nla_get_string / nla_data as a C string: up to the first NUL. */
    public String asString() {
        int n = 0;
        while (n < data.length && data[n] != 0) {
            n++;
        }
        return new String(data, 0, n, StandardCharsets.UTF_8);
    }

    public int asU8() {
        return Byte.toUnsignedInt(data[0]);
    }

    public int asU16() {
        return Short.toUnsignedInt(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getShort());
    }

    public int asU32() {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    public long asU64() {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** The attributes inside a nested one. */
    public List<Nla> asNested() {
        return decode(data);
    }

    /** This attribute with its padding. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(align(len())).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) len()).putShort((short) type).put(data);
        return b.array();
    }

    public static byte[] encode(List<Nla> attrs) {
        int total = attrs.stream().mapToInt(a -> align(a.len())).sum();
        ByteBuffer b = ByteBuffer.allocate(total);
        attrs.forEach(a -> b.put(a.encode()));
        return b.array();
    }

    /**
     * nla_for_each_attr: the attributes in a stream, in order. A header that claims less than its own
     * size or more than what is left ends the walk there, as nla_ok does; the caller who needs to
     * reject such trailing bytes uses {@link NlaPolicy#parse}.
     */
    public static List<Nla> decode(byte[] stream) {
        return walk(stream).attrs;
    }

    record Walk(List<Nla> attrs, int rest) {
    }

    static Walk walk(byte[] stream) {
        List<Nla> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(stream).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        while (stream.length - pos >= NLA_HDRLEN) {
            b.position(pos);
            int len = Short.toUnsignedInt(b.getShort());
            int type = Short.toUnsignedInt(b.getShort());
            if (len < NLA_HDRLEN || len > stream.length - pos) {
                break;
            }
            out.add(new Nla(type, Arrays.copyOfRange(stream, pos + NLA_HDRLEN, pos + len)));
            pos = Math.min(stream.length, pos + align(len));
        }
        return new Walk(out, stream.length - pos);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Nla a && a.type == type && Arrays.equals(a.data, data);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "nlattr{len=" + len() + ", type=" + kind() + ((type & NLA_F_NESTED) != 0 ? "|NESTED" : "") + "}";
    }
}
