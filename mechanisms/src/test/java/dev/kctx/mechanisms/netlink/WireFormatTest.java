package dev.kctx.mechanisms.netlink;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.netlink.NlaPolicy.Type;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** nlmsghdr and nlattr as the kernel lays them out, and attribute policies as lib/nlattr.c checks them. */
class WireFormatTest {

    @Test
    @DisplayName("an nlmsghdr is 16 little-endian bytes: length (header included, padding not), type, flags, seq, pid; messages start 4-byte aligned")
    void nlmsghdrLayout() {
        NlMsg m = new NlMsg(0x10, NlMsg.NLM_F_REQUEST | NlMsg.NLM_F_ACK, 7, 4242, new byte[]{1, 2, 3, 4, 5});
        byte[] b = m.encode();
        assertEquals(24, b.length, "21 bytes padded to 24");
        assertArrayEquals(new byte[]{21, 0, 0, 0, 0x10, 0, 5, 0, 7, 0, 0, 0, (byte) 0x92, 0x10, 0, 0, 1, 2, 3, 4, 5, 0, 0, 0}, b,
                "len=21, type=0x10, flags=REQUEST|ACK, seq=7, pid=4242, payload, padding");
        assertEquals(21, m.len(), "nlmsg_len counts the header and payload");
    }

    @Test
    @DisplayName("a datagram of several messages decodes back to the same messages, and decoding stops at a truncated header")
    void multiMessageRoundTrip() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            List<NlMsg> msgs = new java.util.ArrayList<>();
            for (int i = 0; i < 1 + rnd.nextInt(4); i++) {
                byte[] p = new byte[rnd.nextInt(20)];
                rnd.nextBytes(p);
                msgs.add(new NlMsg(rnd.nextInt(0x10000), rnd.nextInt(0x10000), rnd.nextInt(), rnd.nextInt(), p));
            }
            byte[] wire = NlMsg.encode(msgs);
            assertEquals(0, wire.length % 4, "every message is padded to 4 bytes");
            assertEquals(NlMsg.length(msgs), wire.length, "length() is the wire size");
            assertEquals(msgs, NlMsg.decode(wire), "round trip " + round);
            NlMsg last = msgs.get(msgs.size() - 1);
            int padding = NlMsg.align(last.len()) - last.len();
            assertEquals(msgs, NlMsg.decode(Arrays.copyOf(wire, wire.length - padding)), "the last message needs no padding");
            assertEquals(msgs.subList(0, msgs.size() - 1), NlMsg.decode(Arrays.copyOf(wire, wire.length - padding - 1)),
                    "a cut last message is left out");
        }
    }

    @Test
    @DisplayName("NLMSG_ERROR: errno 0 is the ACK with the request's header only (NLM_F_CAPPED); an error carries the whole request")
    void errorMessages() {
        NlMsg req = NlMsg.ofText(0x20, NlMsg.NLM_F_REQUEST, 9, 100, "hi");
        NlMsg ack = NlMsg.error(req, null);
        assertEquals(NlMsg.NLMSG_ERROR, ack.type(), "an NLMSG_ERROR");
        assertEquals(0, ack.error(), "error 0 is the ACK");
        assertEquals(NlMsg.NLM_F_CAPPED, ack.flags(), "capped: the payload was left out");
        assertEquals(4 + 16, ack.payload().length, "error code and the request's header");
        assertEquals(9, ack.seq(), "the request's sequence number");
        NlMsg nack = NlMsg.error(req, Errno.ENOENT);
        assertEquals(-2, nack.error(), "-ENOENT");
        assertEquals(4 + req.len(), nack.payload().length, "error code and the whole request");
        assertEquals(List.of(req), NlMsg.decode(Arrays.copyOfRange(nack.payload(), 4, nack.payload().length)),
                "the offending request is inside");
        assertEquals(NlMsg.NLMSG_DONE, NlMsg.done(3, 5).type(), "NLMSG_DONE ends a dump");
        assertTrue(NlMsg.done(3, 5).has(NlMsg.NLM_F_MULTI), "as part of the multipart answer");
    }

    @Test
    @DisplayName("an nlattr is a 4-byte header (length without padding, type) and its data padded to 4 bytes; nested attributes hold a stream")
    void nlattrLayout() {
        Nla s = Nla.string(1, "hello world!");
        assertEquals(4 + 13, s.len(), "nla_len: header, text and NUL");
        byte[] b = s.encode();
        assertEquals(20, b.length, "17 bytes padded to 20");
        assertEquals(17, b[0], "length low byte");
        assertEquals(1, b[2], "type");
        assertEquals("hello world!", Nla.decode(b).get(0).asString(), "the string back");
        List<Nla> attrs = List.of(Nla.u8(1, 200), Nla.u16(2, 0xbeef), Nla.u32(3, -5), Nla.u64(4, 1L << 40), Nla.flag(5),
                Nla.nested(6, List.of(Nla.string(1, "in"), Nla.u32(2, 7))));
        List<Nla> back = Nla.decode(Nla.encode(attrs));
        assertEquals(attrs, back, "round trip");
        assertEquals(200, back.get(0).asU8(), "u8");
        assertEquals(0xbeef, back.get(1).asU16(), "u16");
        assertEquals(-5, back.get(2).asU32(), "u32");
        assertEquals(1L << 40, back.get(3).asU64(), "u64");
        assertEquals(6, back.get(5).kind(), "nla_type without NLA_F_NESTED");
        assertEquals(List.of(Nla.string(1, "in"), Nla.u32(2, 7)), back.get(5).asNested(), "nested stream");
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            byte[] d = new byte[rnd.nextInt(40)];
            rnd.nextBytes(d);
            Nla a = new Nla(1 + rnd.nextInt(100), d);
            assertEquals(0, a.encode().length % 4, "padded to 4");
            assertEquals(List.of(a, a), Nla.decode(Nla.encode(List.of(a, a))), "two in a row survive the padding");
        }
    }

    static final Map<Integer, NlaPolicy> POLICY = NlaPolicy.table(
            1, NlaPolicy.of(Type.NUL_STRING), 2, NlaPolicy.of(Type.U32), 3, new NlaPolicy(Type.STRING, 5),
            4, NlaPolicy.of(Type.FLAG), 5, new NlaPolicy(Type.BINARY, 3), 6, NlaPolicy.of(Type.NESTED),
            7, new NlaPolicy(Type.NUL_STRING, 4));

    static Errno violation(Nla a) {
        KernelError e = assertThrows(KernelError.class, () -> NlaPolicy.parse(a.encode(), 7, POLICY), "rejected: " + a);
        return e.errno();
    }

    @Test
    @DisplayName("attributes that keep the policy parse by type")
    void policyAccepts() {
        List<Nla> ok = List.of(Nla.string(1, "x"), Nla.u32(2, 1), Nla.string(3, "12345"), Nla.flag(4), new Nla(5, new byte[3]),
                Nla.nested(6, List.of()), Nla.string(7, "abcd"));
        Map<Integer, Nla> parsed = NlaPolicy.parse(Nla.encode(ok), 7, POLICY);
        assertEquals(7, parsed.size(), "all seven");
        assertEquals(1, parsed.get(2).asU32(), "by type");
    }

    @Test
    @DisplayName("policy violations fail as validate_nla does: EINVAL for an unknown type, a wrong fixed length, a missing NUL (within len + 1), a missing or unexpected NLA_F_NESTED, trailing bytes; ERANGE for too long or empty strings, flags with data, long binaries, a nested attribute shorter than a header")
    void policyRejects() {
        assertEquals(Errno.EINVAL, violation(Nla.u32(8, 1)), "type above maxattr");
        assertEquals(Errno.EINVAL, violation(new Nla(0, new byte[0])), "type 0");
        assertEquals(Errno.EINVAL, violation(Nla.u16(2, 1)), "a u32 of two bytes");
        assertEquals(Errno.EINVAL, violation(new Nla(1, new byte[]{'a', 'b'})), "NUL_STRING without its NUL");
        assertEquals(Errno.ERANGE, violation(Nla.string(3, "123456")), "STRING longer than 5");
        assertEquals(Errno.ERANGE, violation(new Nla(3, new byte[0])), "an empty STRING");
        assertEquals(Errno.EINVAL, violation(Nla.string(7, "abcde")), "NUL_STRING(4) with no NUL in its first 5 bytes");
        assertEquals(Errno.ERANGE, violation(Nla.string(7, "ab\0cdef")), "NUL_STRING(4) with a NUL early but longer than 4");
        assertEquals(Errno.ERANGE, violation(Nla.u8(4, 1)), "a FLAG with data");
        assertEquals(Errno.ERANGE, violation(new Nla(5, new byte[4])), "BINARY longer than 3");
        assertEquals(Errno.EINVAL, violation(Nla.nestedNoflag(6, List.of())), "NESTED without NLA_F_NESTED");
        assertEquals(Errno.EINVAL, violation(Nla.nested(2, List.of())), "NLA_F_NESTED on a u32");
        assertEquals(Errno.ERANGE, violation(new Nla(6 | Nla.NLA_F_NESTED, new byte[2])), "a NESTED of 2 bytes, shorter than a header");
        byte[] trailing = Arrays.copyOf(Nla.u32(2, 1).encode(), 10);
        assertEquals(Errno.EINVAL, assertThrows(KernelError.class, () -> NlaPolicy.parse(trailing, 7, POLICY)).errno(),
                "bytes left over after the last attribute");
    }
}
