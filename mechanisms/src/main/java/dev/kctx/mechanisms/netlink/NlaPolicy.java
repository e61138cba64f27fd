package dev.kctx.mechanisms.netlink;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;

import java.util.Map;
import java.util.TreeMap;

/**
 * One entry of an attribute policy (struct nla_policy) and strict parsing against a policy table
 * (lib/nlattr.c, __nla_validate_parse with NL_VALIDATE_STRICT, what generic netlink uses for new
 * commands). Violations fail as the kernel's validate_nla does: EINVAL for an unknown attribute, a
 * wrong fixed length, a missing NUL or bytes left over after the last attribute; ERANGE (validate_nla
 * starts from -ERANGE) for a string or binary longer than {@code len}, an empty string, a flag with
 * data, or a non-empty nested attribute shorter than an attribute header.
 *
 * @param len for strings and binaries the maximum length (NUL not counted), 0 for no limit
 */
public record NlaPolicy(Type type, int len) {

    /** The attribute types of include/net/netlink.h that kctx checks. */
    public enum Type {
        UNSPEC(0), U8(1), U16(2), U32(4), U64(8), STRING(0), NUL_STRING(0), FLAG(0), BINARY(0), NESTED(0);

        /** The exact data length strict validation wants (nla_attr_len), 0 if not fixed. */
        final int exact;

        Type(int exact) {
            this.exact = exact;
        }
    }

    public static NlaPolicy of(Type type) {
        return new NlaPolicy(type, 0);
    }

    /**
     * nla_parse: the attributes of {@code stream} by type (the last wins if one repeats), checked
     * against {@code policy} (types without an entry are NLA_UNSPEC: any data) for types 1..maxattr.
     */
    public static Map<Integer, Nla> parse(byte[] stream, int maxattr, Map<Integer, NlaPolicy> policy) {
        Nla.Walk w = Nla.walk(stream);
        if (w.rest() > 0) {
            // __nla_validate_parse: "bytes leftover after parsing attributes" (strict).
            throw new KernelError(Errno.EINVAL, "bytes leftover after parsing attributes");
        }
        Map<Integer, Nla> out = new TreeMap<>();
        for (Nla a : w.attrs()) {
            int t = a.kind();
            if (t == 0 || t > maxattr) {
                throw new KernelError(Errno.EINVAL, "Unknown attribute type " + t);
            }
            NlaPolicy p = policy.getOrDefault(t, of(Type.UNSPEC));
            p.validate(a);
            out.put(t, a);
        }
        return out;
    }

    /** validate_nla for one attribute under strict validation. */
    public void validate(Nla a) {
        int attrlen = a.data().length;
        byte[] d = a.data();
        if (type.exact != 0 && attrlen != type.exact) {
            throw new KernelError(Errno.EINVAL, "invalid attribute length");
        }
        boolean nested = (a.type() & Nla.NLA_F_NESTED) != 0;
        if (type == Type.NESTED && !nested) {
            throw new KernelError(Errno.EINVAL, "NLA_F_NESTED is missing");
        }
        if (type != Type.NESTED && type != Type.UNSPEC && nested) {
            throw new KernelError(Errno.EINVAL, "NLA_F_NESTED not expected");
        }
        switch (type) {
            case FLAG -> {
                if (attrlen > 0) {
                    throw new KernelError(Errno.ERANGE, "Attribute failed policy validation");
                }
            }
            case NUL_STRING -> {
                int minlen = len > 0 ? Math.min(attrlen, len + 1) : attrlen;
                if (minlen == 0 || !hasNul(d, minlen)) {
                    throw new KernelError(Errno.EINVAL, "Attribute failed policy validation");
                }
                checkString(d);
            }
            case STRING -> checkString(d);
            case BINARY -> {
                if (len > 0 && attrlen > len) {
                    throw new KernelError(Errno.ERANGE, "Attribute failed policy validation");
                }
            }
            case NESTED -> {
                // A nested attribute may be empty; if not, it holds at least one header (NLA_HDRLEN).
                if (attrlen != 0 && attrlen < 4) {
                    throw new KernelError(Errno.ERANGE, "Attribute failed policy validation");
                }
            }
            default -> {
            }
        }
    }

    private void checkString(byte[] d) {
        int attrlen = d.length;
        if (attrlen < 1) {
            throw new KernelError(Errno.ERANGE, "Attribute failed policy validation");
        }
        if (len > 0) {
            if (d[attrlen - 1] == 0) {
                attrlen--;
            }
            if (attrlen > len) {
                throw new KernelError(Errno.ERANGE, "Attribute failed policy validation");
            }
        }
    }

    private static boolean hasNul(byte[] d, int n) {
        for (int i = 0; i < n; i++) {
            if (d[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /** A policy table from pairs: {@code table(1, of(NUL_STRING), 2, of(U32))}. */
    public static Map<Integer, NlaPolicy> table(Object... pairs) {
        Map<Integer, NlaPolicy> m = new TreeMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            m.put((Integer) pairs[i], (NlaPolicy) pairs[i + 1]);
        }
        return Map.copyOf(m);
    }
}
