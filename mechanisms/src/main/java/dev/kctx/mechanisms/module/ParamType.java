package dev.kctx.mechanisms.module;

import java.math.BigInteger;
import java.util.Locale;

/** module_param types and their parsing (kernel/params.c, kstrto* with base 0). */
public enum ParamType {
    BYTE(0, 255), SHORT(Short.MIN_VALUE, Short.MAX_VALUE), USHORT(0, 65535), INT(Integer.MIN_VALUE, Integer.MAX_VALUE),
    UINT(0, 4294967295L), LONG(Long.MIN_VALUE, Long.MAX_VALUE), ULONG(0, Long.MAX_VALUE), BOOL(0, 1), INVBOOL(0, 1),
    CHARP(0, 0);

    private final long min;
    private final long max;

    ParamType(long min, long max) {
        this.min = min;
        this.max = max;
    }

    /** Parses a value as the kernel would; returns null when the kernel would answer EINVAL. */
    public Object parse(String text) {
        if (this == CHARP) {
            return text;
        }
        if (this == BOOL || this == INVBOOL) {
            Boolean b = switch (text.toLowerCase(Locale.ROOT)) {
                case "y", "1", "on", "yes" -> Boolean.TRUE;
                case "n", "0", "off", "no" -> Boolean.FALSE;
                default -> null;
            };
            if (b == null) {
                return null;
            }
            return this == INVBOOL ? !b : b;
        }
        try {
            String t = text.trim();
            boolean neg = t.startsWith("-");
            String digits = neg || t.startsWith("+") ? t.substring(1) : t;
            int radix = 10;
            if (digits.startsWith("0x") || digits.startsWith("0X")) {
                radix = 16;
                digits = digits.substring(2);
            } else if (digits.length() > 1 && digits.startsWith("0")) {
                radix = 8;
                digits = digits.substring(1);
            }
            if (digits.isEmpty()) {
                return null;
            }
            BigInteger v = new BigInteger(digits, radix);
            if (neg) {
                v = v.negate();
            }
            if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
                return null;
            }
            return v.longValue();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The error the kernel's setter gives for text {@link #parse} refuses: ERANGE for a well-formed
     * number outside the type's range (kstrto* overflow), EINVAL for anything else.
     */
    public dev.kctx.mechanisms.Errno parseError(String text) {
        if (this == CHARP || this == BOOL || this == INVBOOL) {
            return dev.kctx.mechanisms.Errno.EINVAL;
        }
        String t = text.trim();
        if (min >= 0 && t.startsWith("-")) {
            // kstrtou* take no sign.
            return dev.kctx.mechanisms.Errno.EINVAL;
        }
        return t.matches("[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)") ? dev.kctx.mechanisms.Errno.ERANGE
                : dev.kctx.mechanisms.Errno.EINVAL;
    }

    /** How the parameter file shows a value (param_get_*). */
    public String show(Object value) {
        if (this == BOOL || this == INVBOOL) {
            boolean b = (Boolean) value;
            return (this == INVBOOL ? !b : b) ? "Y" : "N";
        }
        return String.valueOf(value);
    }

    public static ParamType parseName(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown parameter type '" + name + "'; expected one of "
                    + java.util.Arrays.toString(values()).toLowerCase(Locale.ROOT));
        }
    }
}
