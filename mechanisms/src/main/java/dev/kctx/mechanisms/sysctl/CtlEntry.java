package dev.kctx.mechanisms.sysctl;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One ctl_table entry: its file name under the table's directory, its mode, its proc_handler and
 * the data the handler reads and writes. The handlers follow kernel/sysctl.c: proc_dointvec (a
 * vector of ints shown tab-separated), proc_dointvec_minmax (EINVAL outside [min, max]) and
 * proc_dostring (at most maxlen-1 characters, up to the first newline).
 */
public final class CtlEntry {

    /** The proc_handler. */
    public enum Handler { PROC_DOINTVEC, PROC_DOINTVEC_MINMAX, PROC_DOSTRING }

    private final String procname;
    private final int mode;
    private final Handler handler;
    private final int[] defaultInts;
    private final long min;
    private final long max;
    private final String defaultString;
    private final int maxlen;
    private int[] ints;
    private String string;

    private CtlEntry(String procname, int mode, Handler handler, int[] ints, long min, long max, String string, int maxlen) {
        if (!procname.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("bad sysctl name '" + procname + "'");
        }
        if (mode < 0 || mode > 0777 || (mode & 0111) != 0) {
            // proc_sys_permission refuses execute; sysctl_check_table warns about such modes.
            throw new IllegalArgumentException("bad mode " + Integer.toOctalString(mode) + " for sysctl " + procname);
        }
        this.procname = procname;
        this.mode = mode;
        this.handler = handler;
        this.defaultInts = ints == null ? null : ints.clone();
        this.min = min;
        this.max = max;
        this.defaultString = string;
        this.maxlen = maxlen;
        reset();
    }

    /** proc_dointvec over {@code values.length} ints. */
    public static CtlEntry intvec(String procname, int mode, int... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("sysctl " + procname + " needs at least one int");
        }
        return new CtlEntry(procname, mode, Handler.PROC_DOINTVEC, values, Integer.MIN_VALUE, Integer.MAX_VALUE, null, 0);
    }

    /** proc_dointvec_minmax over one int with extra1 = min and extra2 = max. */
    public static CtlEntry intMinmax(String procname, int mode, int min, int max, int value) {
        if (min > max || value < min || value > max) {
            throw new IllegalArgumentException("sysctl " + procname + ": default " + value + " outside [" + min + ", " + max + "]");
        }
        return new CtlEntry(procname, mode, Handler.PROC_DOINTVEC_MINMAX, new int[] {value}, min, max, null, 0);
    }

    /** proc_dostring with a buffer of {@code maxlen} bytes (the terminating NUL included). */
    public static CtlEntry string(String procname, int mode, int maxlen, String value) {
        if (maxlen < 1 || value.length() > maxlen - 1) {
            throw new IllegalArgumentException("sysctl " + procname + ": default does not fit in " + maxlen + " bytes");
        }
        return new CtlEntry(procname, mode, Handler.PROC_DOSTRING, null, 0, 0, value, maxlen);
    }

    public String procname() {
        return procname;
    }

    public int mode() {
        return mode;
    }

    public Handler handler() {
        return handler;
    }

    /** Back to the value the kernel (or module) starts with. */
    public void reset() {
        ints = defaultInts == null ? null : defaultInts.clone();
        string = defaultString;
    }

    /** The text a read at offset 0 returns, newline included. */
    public String show() {
        if (handler == Handler.PROC_DOSTRING) {
            return string + "\n";
        }
        return Arrays.stream(ints).mapToObj(Integer::toString).collect(Collectors.joining("\t")) + "\n";
    }

    /**
     * A write at offset 0: the handler parses {@code text} and stores it, or throws EINVAL (not a
     * number, nothing given, or outside the range) leaving the value as it was.
     */
    public void store(String text) {
        if (handler == Handler.PROC_DOSTRING) {
            // _proc_do_string copies up to maxlen-1 bytes and stops at the first newline or NUL.
            int end = text.length();
            for (int i = 0; i < text.length(); i++) {
                char ch = text.charAt(i);
                if (ch == '\n' || ch == '\0') {
                    end = i;
                    break;
                }
            }
            string = text.substring(0, Math.min(end, maxlen - 1));
            return;
        }
        String[] words = text.trim().split("[ \t\n]+");
        if (words.length == 0 || words[0].isEmpty()) {
            throw new KernelError(Errno.EINVAL);
        }
        int[] next = ints.clone();
        // Values beyond the vector's length are not read, as __do_proc_dointvec stops there.
        for (int i = 0; i < Math.min(words.length, next.length); i++) {
            long v = parse(words[i]);
            if (v < min || v > max) {
                throw new KernelError(Errno.EINVAL);
            }
            next[i] = (int) v;
        }
        ints = next;
    }

    /** proc_get_long: an optional minus sign, then a number in base 0 (10, 0x hex, 0 octal), in int range. */
    private static long parse(String w) {
        boolean neg = w.startsWith("-");
        String d = neg ? w.substring(1) : w;
        int radix = 10;
        if (d.startsWith("0x") || d.startsWith("0X")) {
            radix = 16;
            d = d.substring(2);
        } else if (d.length() > 1 && d.startsWith("0")) {
            radix = 8;
            d = d.substring(1);
        }
        if (d.isEmpty() || d.length() > 11 || !d.matches("[0-9a-fA-F]+")) {
            throw new KernelError(Errno.EINVAL);
        }
        long v;
        try {
            v = Long.parseLong(d, radix);
        } catch (NumberFormatException e) {
            throw new KernelError(Errno.EINVAL);
        }
        v = neg ? -v : v;
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new KernelError(Errno.EINVAL);
        }
        return v;
    }

    /** The current ints (PROC_DOINTVEC*), a copy. */
    public int[] ints() {
        return ints == null ? null : ints.clone();
    }

    /** The current string (PROC_DOSTRING). */
    public String string() {
        return string;
    }
}
