package dev.kctx.mechanisms.netlink;

import dev.kctx.mechanisms.Errno;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One netlink message: struct nlmsghdr (length, type, flags, sequence, sender port id) and its
 * payload, encoded as the kernel lays it out (host byte order, x86_64: little endian; every message
 * starts on a 4-byte boundary). {@code len()} is nlmsg_len, header included, padding excluded.
 */
public record NlMsg(int type, int flags, int seq, int portId, byte[] payload) {
    /** sizeof(struct nlmsghdr). */
    public static final int NLMSG_HDRLEN = 16;
    public static final int NLMSG_ALIGNTO = 4;

    public static final int NLMSG_NOOP = 0x1;
    public static final int NLMSG_ERROR = 0x2;
    public static final int NLMSG_DONE = 0x3;
    public static final int NLMSG_OVERRUN = 0x4;
    /** Types below are control messages; families start here. */
    public static final int NLMSG_MIN_TYPE = 0x10;

    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_ROOT = 0x100;
    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    /** On an NLMSG_ERROR: the offending message's payload was left out (always so for an ACK). */
    public static final int NLM_F_CAPPED = 0x100;

    public NlMsg {
        payload = payload == null ? new byte[0] : payload.clone();
        if (type < 0 || type > 0xffff || flags < 0 || flags > 0xffff) {
            throw new IllegalArgumentException("nlmsg_type and nlmsg_flags are 16 bits: " + type + ", " + flags);
        }
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** nlmsg_len: header plus payload. */
    public int len() {
        return NLMSG_HDRLEN + payload.length;
    }

    public static int align(int len) {
        return (len + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
    }

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }

    /** The same message with another sequence number and port id (what a sender fills in). */
    public NlMsg with(int newSeq, int newPortId) {
        return new NlMsg(type, flags, newSeq, newPortId, payload);
    }

    /** The header and payload bytes, padded to NLMSG_ALIGN. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(align(len())).order(ByteOrder.LITTLE_ENDIAN);
        encodeInto(b);
        return b.array();
    }

    /** Puts the header and payload at {@code b}'s position (little-endian) and moves it past the padding. */
    private void encodeInto(ByteBuffer b) {
        int start = b.position();
        b.putInt(len()).putShort((short) type).putShort((short) flags).putInt(seq).putInt(portId).put(payload);
        b.position(start + align(len()));
    }

    /** Several messages back to back, as one datagram: one buffer, not one per message. */
    public static byte[] encode(List<NlMsg> msgs) {
        ByteBuffer b = ByteBuffer.allocate(length(msgs)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0, n = msgs.size(); i < n; i++) {
            msgs.get(i).encodeInto(b);
        }
        return b.array();
    }

    /** The total length of {@code msgs} as one datagram (each padded). */
    public static int length(List<NlMsg> msgs) {
        int total = 0;
        for (NlMsg m : msgs) {
            total += align(m.len());
        }
        return total;
    }

    /** NLMSG_OK over a datagram: the messages it holds, stopping at the first malformed header. */
    public static List<NlMsg> decode(byte[] data) {
        List<NlMsg> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= NLMSG_HDRLEN) {
            int start = b.position();
            int len = b.getInt();
            if (len < NLMSG_HDRLEN || len > b.remaining() + 4) {
                break;
            }
            int type = Short.toUnsignedInt(b.getShort());
            int flags = Short.toUnsignedInt(b.getShort());
            int seq = b.getInt();
            int pid = b.getInt();
            byte[] p = new byte[len - NLMSG_HDRLEN];
            b.get(p);
            out.add(new NlMsg(type, flags, seq, pid, p));
            b.position(Math.min(data.length, start + align(len)));
        }
        return out;
    }

    /**
     * netlink_ack: an NLMSG_ERROR answering {@code request} with {@code errno} (null: the ACK, error
     * 0). It carries the request's header, and its payload too unless it is an ACK (then
     * NLM_F_CAPPED says it was left out). Sequence and port id are the request's.
     */
    public static NlMsg error(NlMsg request, Errno errno) {
        byte[] orig = errno == null ? Arrays.copyOf(request.encode(), NLMSG_HDRLEN) : Arrays.copyOf(request.encode(), request.len());
        ByteBuffer b = ByteBuffer.allocate(4 + orig.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(errno == null ? 0 : errno.negative()).put(orig);
        return new NlMsg(NLMSG_ERROR, errno == null ? NLM_F_CAPPED : 0, request.seq(), request.portId(), b.array());
    }

    /** NLMSG_DONE ending a dump: its payload is the dump's return value (0). */
    public static NlMsg done(int seq, int portId) {
        return new NlMsg(NLMSG_DONE, NLM_F_MULTI, seq, portId, new byte[4]);
    }

    /** For an NLMSG_ERROR: the error field (0 for an ACK, else -errno). */
    public int error() {
        if (type != NLMSG_ERROR || payload.length < 4) {
            throw new IllegalStateException("not an NLMSG_ERROR message: " + this);
        }
        return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** The payload read as text up to its first NUL (a string a sender put there). */
    public String text() {
        int n = 0;
        while (n < payload.length && payload[n] != 0) {
            n++;
        }
        return new String(payload, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A message of {@code type} carrying {@code text} and its NUL. */
    public static NlMsg ofText(int type, int flags, int seq, int portId, String text) {
        byte[] t = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new NlMsg(type, flags, seq, portId, Arrays.copyOf(t, t.length + 1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NlMsg m && m.type == type && m.flags == flags && m.seq == seq && m.portId == portId
                && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((type * 31 + flags) * 31 + seq) * 31 + portId + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "nlmsghdr{len=" + len() + ", type=" + typeName(type) + ", flags=0x" + Integer.toHexString(flags) + ", seq="
                + seq + ", pid=" + Integer.toUnsignedString(portId) + "} + " + payload.length + " bytes";
    }

    static String typeName(int type) {
        return switch (type) {
            case NLMSG_NOOP -> "NLMSG_NOOP";
            case NLMSG_ERROR -> "NLMSG_ERROR";
            case NLMSG_DONE -> "NLMSG_DONE";
            case NLMSG_OVERRUN -> "NLMSG_OVERRUN";
            default -> "0x" + Integer.toHexString(type);
        };
    }
}
