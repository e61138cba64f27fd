package dev.kctx.mechanisms.shell;

import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFlags;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@link Shell}'s tools that read files in pieces: {@code wc -c FILE} (reads to the end in
 * 16 KiB requests, prints the byte count) and {@code dd} (reads {@code bs}-sized requests, counts
 * full and partial records, seeks with lseek for {@code skip}), with coreutils' messages.
 */
final class FileTools {
    /** coreutils wc's read size. */
    static final int WC_BUFFER = 16 * 1024;

    private FileTools() {
    }

    // wc -c FILE: "N FILE".
    static List<Op> wc(List<String> args) {
        if (args.size() != 2 || !args.get(0).equals("-c")) {
            throw new IllegalArgumentException("this shell's wc takes -c and one file");
        }
        String path = args.get(1);
        List<Op> ops = new ArrayList<>(Sys.call("open", c -> IoResult.Done.of(FileSyscalls.open(c, path, OpenFlags.O_RDONLY))));
        ops.add(Sys.user("wc", x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                Shell.fail(x, 1, "wc: " + path + ": " + r.errno.text());
                return List.of();
            }
            return wcLoop((int) r.ret, path, new long[1]);
        }));
        return ops;
    }

    private static List<Op> wcLoop(int fd, String path, long[] total) {
        List<Op> ops = new ArrayList<>(Sys.call("read", c -> FileSyscalls.read(c, fd, WC_BUFFER)));
        ops.add(Sys.user("wc", x -> {
            Regs r = Sys.regs(x);
            if (r.failed() || r.ret == 0) {
                if (r.failed()) {
                    Shell.fail(x, 1, "wc: " + path + ": " + r.errno.text());
                } else {
                    x.console(total[0] + " " + path);
                }
                return close(fd);
            }
            total[0] += r.ret;
            return wcLoop(fd, path, total);
        }));
        return ops;
    }

    private static List<Op> close(int fd) {
        return Sys.call("close", c -> {
            FileSyscalls.close(c, fd);
            return IoResult.Done.of(0);
        });
    }

    /** One dd invocation's settings and counters. */
    private static final class Dd {
        String in;
        String out;
        int bs = 512;
        long count = -1;
        long skip;
        boolean quiet;
        int inFd = -1;
        int outFd = -1;
        long fullIn;
        long partialIn;
        long fullOut;
        long partialOut;
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    }

    // dd if=FILE [of=FILE] [bs=N] [count=N] [skip=N] status=none|noxfer
    static List<Op> dd(List<String> args) {
        Map<String, String> opts = new TreeMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("dd: unrecognized operand '" + a + "'");
            }
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        for (String k : opts.keySet()) {
            if (!List.of("if", "of", "bs", "count", "skip", "status").contains(k)) {
                throw new IllegalArgumentException("dd: this shell knows if, of, bs, count, skip and status, not '" + k + "'");
            }
        }
        String status = opts.getOrDefault("status", "");
        if (!status.equals("none") && !status.equals("noxfer")) {
            // The transfer line reports wall-clock speed; a transcript must not depend on it.
            throw new IllegalArgumentException("this shell's dd needs status=none or status=noxfer");
        }
        if (!opts.containsKey("if")) {
            throw new IllegalArgumentException("this shell's dd needs if=FILE");
        }
        Dd d = new Dd();
        d.in = opts.get("if");
        d.out = opts.get("of");
        d.bs = ShellTools.intNumber("dd: bs", opts.getOrDefault("bs", "512"), 1, 1 << 20);
        d.count = opts.containsKey("count") ? ShellTools.number("dd: count", opts.get("count"), 0, Long.MAX_VALUE) : -1;
        d.skip = ShellTools.number("dd: skip", opts.getOrDefault("skip", "0"), 0, Long.MAX_VALUE);
        d.quiet = status.equals("none");
        if (d.bs <= 0) {
            throw new IllegalArgumentException("dd: invalid number: '" + opts.get("bs") + "'");
        }
        List<Op> ops = new ArrayList<>(Sys.call("open", c -> IoResult.Done.of(FileSyscalls.open(c, d.in, OpenFlags.O_RDONLY))));
        ops.add(Sys.user("dd", x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                Shell.fail(x, 1, "dd: failed to open '" + d.in + "': " + r.errno.text());
                return List.of();
            }
            d.inFd = (int) r.ret;
            return d.out == null ? skip(d) : openOut(d);
        }));
        return ops;
    }

    private static List<Op> openOut(Dd d) {
        int flags = OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_TRUNC;
        List<Op> ops = new ArrayList<>(Sys.call("open", c -> IoResult.Done.of(FileSyscalls.open(c, d.out, flags))));
        ops.add(Sys.user("dd", x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                Shell.fail(x, 1, "dd: failed to open '" + d.out + "': " + r.errno.text());
                return close(d.inFd);
            }
            d.outFd = (int) r.ret;
            return skip(d);
        }));
        return ops;
    }

    // skip=N: lseek(SEEK_CUR); where the file cannot seek, read the blocks and drop them, as dd does.
    private static List<Op> skip(Dd d) {
        if (d.skip == 0) {
            return copy(d);
        }
        List<Op> ops = new ArrayList<>(Sys.call("lseek", c -> IoResult.Done.of(FileSyscalls.lseek(c, d.inFd, d.skip * d.bs, 1))));
        ops.add(Sys.user("dd", x -> Sys.regs(x).failed() ? skipByReading(d, d.skip) : copy(d)));
        return ops;
    }

    private static List<Op> skipByReading(Dd d, long left) {
        if (left == 0) {
            return copy(d);
        }
        List<Op> ops = new ArrayList<>(Sys.call("read", c -> FileSyscalls.read(c, d.inFd, d.bs)));
        ops.add(Sys.user("dd", x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                Shell.fail(x, 1, "dd: '" + d.in + "': cannot skip: " + r.errno.text());
                return finish(x, d);
            }
            return r.ret == 0 ? copy(d) : skipByReading(d, left - 1);
        }));
        return ops;
    }

    private static List<Op> copy(Dd d) {
        if (d.count >= 0 && d.fullIn + d.partialIn >= d.count) {
            return List.of(Sys.user("dd", x -> finish(x, d)));
        }
        List<Op> ops = new ArrayList<>(Sys.call("read", c -> FileSyscalls.read(c, d.inFd, d.bs)));
        ops.add(Sys.user("dd", x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                Shell.fail(x, 1, "dd: error reading '" + d.in + "': " + r.errno.text());
                return finish(x, d);
            }
            if (r.ret == 0) {
                return finish(x, d);
            }
            if (r.ret == d.bs) {
                d.fullIn++;
            } else {
                d.partialIn++;
            }
            byte[] block = r.data;
            if (d.outFd < 0) {
                d.stdout.write(block, 0, block.length);
                countOut(d, block.length);
                return copy(d);
            }
            List<Op> w = new ArrayList<>(Sys.call("write", c -> FileSyscalls.write(c, d.outFd, block)));
            w.add(Sys.user("dd", y -> {
                Regs r2 = Sys.regs(y);
                if (r2.failed()) {
                    Shell.fail(y, 1, "dd: error writing '" + d.out + "': " + r2.errno.text());
                    return finish(y, d);
                }
                countOut(d, r2.ret);
                return copy(d);
            }));
            return w;
        }));
        return ops;
    }

    private static void countOut(Dd d, long n) {
        if (n == d.bs) {
            d.fullOut++;
        } else {
            d.partialOut++;
        }
    }

    private static List<Op> finish(dev.kctx.actors.program.Exec x, Dd d) {
        Shell.print(x, d.stdout.toByteArray());
        if (!d.quiet) {
            x.console(d.fullIn + "+" + d.partialIn + " records in");
            x.console(d.fullOut + "+" + d.partialOut + " records out");
        }
        List<Op> ops = new ArrayList<>(close(d.inFd));
        if (d.outFd >= 0) {
            ops.addAll(close(d.outFd));
        }
        return ops;
    }
}
