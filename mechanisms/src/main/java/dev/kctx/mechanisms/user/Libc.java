package dev.kctx.mechanisms.user;

import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.UserPtr;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The libc calls a user program makes, as operations that keep a file descriptor in a named
 * variable across steps ({@link Regs#vars}): {@code open("fd", "/dev/x", O_RDWR)}, then
 * {@code read("fd", 64)}, {@code ioctl("fd", cmd, arg)}, {@code close("fd")}. Each leaves its
 * result in the task's {@link Regs} (value or -errno, errno, the bytes read); a following
 * {@link #then} step looks at it. A call on a variable that holds no descriptor fails with EBADF,
 * as a stale descriptor would.
 */
public final class Libc {
    private Libc() {
    }

    /** open(2); on success the descriptor is stored in {@code var}. */
    public static List<Op> open(String var, String path, int flags) {
        List<Op> ops = new ArrayList<>(Sys.call("open", c -> IoResult.Done.of(FileSyscalls.open(c, path, flags))));
        ops.add(Sys.act("open " + var, x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                r.vars.remove(var);
            } else {
                r.vars.put(var, (int) r.ret);
            }
        }));
        return ops;
    }

    /** read(2) of up to {@code count} bytes into {@link Regs#data}; may sleep (blocking driver) unless O_NONBLOCK. */
    public static List<Op> read(String var, int count) {
        return withFd(var, "read", fd -> Sys.call("read", c -> FileSyscalls.read(c, fd, count)));
    }

    public static List<Op> write(String var, byte[] data) {
        byte[] copy = data.clone();
        return withFd(var, "write", fd -> Sys.call("write", c -> FileSyscalls.write(c, fd, copy)));
    }

    /** ioctl(2) with {@code arg} as the third argument (UserPtr.none() for _IO commands). */
    public static List<Op> ioctl(String var, int cmd, UserPtr arg) {
        return withFd(var, "ioctl", fd -> Sys.call("ioctl", c -> IoResult.Done.of(FileSyscalls.ioctl(c, fd, cmd, arg))));
    }

    /** close(2); the variable is forgotten either way. */
    public static List<Op> close(String var) {
        List<Op> ops = new ArrayList<>(withFd(var, "close", fd -> Sys.call("close", c -> {
            FileSyscalls.close(c, fd);
            return IoResult.Done.of(0);
        })));
        ops.add(Sys.act("forget " + var, x -> Sys.regs(x).vars.remove(var)));
        return ops;
    }

    /** A user-mode step after a call: print or decide from {@link Regs}. */
    public static Op then(String name, Consumer<Regs> step) {
        return Sys.act(name, x -> step.accept(Sys.regs(x)));
    }

    /** {@code if (ret < 0) return 1;}: runs {@code rest} only when the last call succeeded. */
    public static Op unlessFailed(List<Op> rest) {
        List<Op> copy = List.copyOf(rest);
        return Sys.user("check", x -> Sys.regs(x).failed() ? List.of() : copy);
    }

    /** printf of a line made from the last result. */
    /**
     * C's {@code atoi} as glibc does it ({@code (int) strtol(s, NULL, 10)}): leading blanks, an
     * optional sign, then the digits that follow; no digits give 0, and a value beyond a long is
     * clamped as strtol clamps it, then cut to an int. The example programs parse their arguments
     * this way, so a bad argument is a wrong number, as in C, never an exception.
     */
    public static int atoi(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        long v = 0;
        boolean clamped = false;
        for (; i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9'; i++) {
            int d = s.charAt(i) - '0';
            if (v > (Long.MAX_VALUE - d) / 10) {
                clamped = true;
                break;
            }
            v = v * 10 + d;
        }
        long r = clamped ? (neg ? Long.MIN_VALUE : Long.MAX_VALUE) : (neg ? -v : v);
        return (int) r;
    }

    public static Op printf(java.util.function.Function<Regs, String> line) {
        return Sys.act("printf", x -> x.console(line.apply(Sys.regs(x))));
    }

    private static List<Op> withFd(String var, String call, java.util.function.IntFunction<List<Op>> ops) {
        return List.of(Sys.user(call + " " + var, x -> {
            Object v = Sys.regs(x).vars.get(var);
            return ops.apply(v instanceof Integer fd ? fd : -1);
        }));
    }
}
