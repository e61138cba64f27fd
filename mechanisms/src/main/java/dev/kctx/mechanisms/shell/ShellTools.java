package dev.kctx.mechanisms.shell;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.signal.SigUser;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFlags;
import dev.kctx.mechanisms.vfs.Vfs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * More commands of the transcript shell: {@code exec} redirections that keep a descriptor open
 * across commands, {@code head}, procps' {@code sysctl}, {@code reboot}, {@code kill}, and {@code ./PROGRAM}
 * for the machine's {@link Executables}. Each expands into the system calls the real tool makes and
 * prints what it prints.
 */
final class ShellTools {
    private static final int READ_CHUNK = 4096;
    private static final int S_IWUSR = 0200;
    private static final int S_IRUSR = 0400;
    private static final String PROC = "/proc/sys";
    private static final Pattern EXEC_OPEN = Pattern.compile("(\\d+)\\s*(<>|>>|<|>)\\s*(\\S+)");
    private static final Pattern EXEC_CLOSE = Pattern.compile("(\\d+)\\s*[<>]&-");

    private ShellTools() {
    }

    /**
     * {@code text} as a whole number from {@code min} to {@code max}, or the shell's refusal naming
     * {@code what} and the range (never a Java parse error).
     */
    static long number(String what, String text, long min, long max) {
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a number from " + min + " to " + max);
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(what + " '" + text + "' is out of range: from " + min + " to " + max);
        }
        return v;
    }

    /** As {@link #number}, within an int. */
    static int intNumber(String what, String text, int min, int max) {
        return (int) number(what, text, min, max);
    }

    // exec N< FILE, N> FILE, N>> FILE, N<> FILE: open and move to descriptor N; exec N<&- closes N.
    static List<Op> exec(List<String> args) {
        String spec = String.join(" ", args).trim();
        Matcher close = EXEC_CLOSE.matcher(spec);
        if (close.matches()) {
            int n = intNumber("exec: descriptor", close.group(1), 0, Integer.MAX_VALUE);
            // bash ignores closing a descriptor that is not open.
            return Sys.call("close", c -> {
                FileSyscalls.close(c, n);
                return IoResult.Done.of(0);
            });
        }
        Matcher open = EXEC_OPEN.matcher(spec);
        if (!open.matches()) {
            throw new IllegalArgumentException("exec supports only N< FILE, N> FILE, N>> FILE, N<> FILE and N<&-, not: " + spec);
        }
        int n = intNumber("exec: descriptor", open.group(1), 0, Integer.MAX_VALUE);
        String path = open.group(3);
        int flags = switch (open.group(2)) {
            case "<" -> OpenFlags.O_RDONLY;
            case ">" -> OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_TRUNC;
            case ">>" -> OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_APPEND;
            default -> OpenFlags.O_RDWR | OpenFlags.O_CREAT;
        };
        return openThen("exec", path, flags, e -> "sh: " + path + ": " + e.text(), fd -> {
            if (fd == n) {
                return List.of();
            }
            List<Op> move = new ArrayList<>(Sys.call("dup2", c -> IoResult.Done.of(FileSyscalls.dup2(c, fd, n))));
            move.addAll(Sys.call("close", c -> {
                FileSyscalls.close(c, fd);
                return IoResult.Done.of(0);
            }));
            return move;
        });
    }

    /**
     * open(path, flags) as {@code tool} does it: on success the ops {@code withFd} makes of the
     * descriptor, on failure the line {@code failure} makes of the errno, printed.
     */
    private static List<Op> openThen(String tool, String path, int flags, Function<Errno, String> failure,
                                     IntFunction<List<Op>> withFd) {
        List<Op> ops = new ArrayList<>(Sys.call("open", c -> IoResult.Done.of(FileSyscalls.open(c, path, flags))));
        ops.add(Sys.user(tool, x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                Shell.fail(x, 1, failure.apply(r.errno));
                return List.of();
            }
            return withFd.apply((int) r.ret);
        }));
        return ops;
    }

    // head [-n N] FILE: the first N lines (10 by default), reading until it has them.
    /**
     * kill [-SIGNAL | -s SIGNAL | -N] PID...: one kill(2) per pid, with bash's messages for the
     * kernel's answers. A signal name bash does not know is refused before any call, as bash does;
     * a number goes to the kernel, which answers ESRCH before EINVAL (kill_pid_info's order).
     */
    static List<Op> kill(List<String> args) {
        int i = 0;
        String spec = "TERM";
        if (!args.isEmpty() && args.get(0).equals("-s")) {
            if (args.size() < 2) {
                throw new IllegalArgumentException("kill -s needs a signal name");
            }
            spec = args.get(1);
            i = 2;
        } else if (!args.isEmpty() && args.get(0).startsWith("-") && args.get(0).length() > 1) {
            spec = args.get(0).substring(1);
            i = 1;
        }
        if (spec.equals("l") || spec.equals("L")) {
            throw new IllegalArgumentException("kill -l is not supported; give a signal and PID...");
        }
        if (i >= args.size()) {
            throw new IllegalArgumentException("kill needs a PID (kill [-SIGNAL | -s SIGNAL] PID...)");
        }
        List<Integer> pids = new ArrayList<>();
        for (String p : args.subList(i, args.size())) {
            if (!p.matches("\\d{1,9}") || Integer.parseInt(p) == 0) {
                throw new IllegalArgumentException("kill: '" + p + "' is not a process id > 0 (process groups and jobs are not modelled)");
            }
            pids.add(Integer.parseInt(p));
        }
        int sig = Signo.parse(spec);
        String shown = spec;
        if (sig < 0) {
            return List.of(Sys.act("kill", x -> Shell.fail(x, 1, "kill: " + shown + ": invalid signal specification")));
        }
        List<Op> ops = new ArrayList<>();
        for (int pid : pids) {
            ops.addAll(SigUser.kill(pid, sig));
            ops.add(Sys.act("kill", x -> {
                Regs r = Sys.regs(x);
                if (r.failed()) {
                    Shell.fail(x, 1, r.errno == Errno.EINVAL ? "kill: " + shown + ": invalid signal specification"
                            : "kill: (" + pid + ") - " + r.errno.text());
                }
            }));
        }
        return ops;
    }

    static List<Op> head(List<String> args) {
        int lines = 10;
        List<String> rest = new ArrayList<>(args);
        if (rest.size() >= 2 && rest.get(0).equals("-n")) {
            lines = intNumber("head: number of lines", rest.get(1), 0, Integer.MAX_VALUE);
            rest = rest.subList(2, rest.size());
        }
        if (rest.size() != 1 || lines < 0) {
            throw new IllegalArgumentException("head needs [-n N] FILE");
        }
        String path = rest.get(0);
        int want = lines;
        return openThen("head", path, OpenFlags.O_RDONLY, e -> "head: cannot open '" + path + "' for reading: " + e.text(),
                fd -> headLoop(fd, path, want, new ByteArrayOutputStream()));
    }

    private static List<Op> headLoop(int fd, String path, int want, ByteArrayOutputStream acc) {
        List<Op> ops = new ArrayList<>();
        if (newlines(acc.toByteArray()) < want) {
            ops.addAll(Sys.call("read", c -> FileSyscalls.read(c, fd, READ_CHUNK)));
        }
        ops.add(Sys.user("head", x -> {
            Regs r = Sys.regs(x);
            boolean done = newlines(acc.toByteArray()) >= want || r.failed() || r.ret == 0;
            if (!done) {
                acc.write(r.data, 0, r.data.length);
                return headLoop(fd, path, want, acc);
            }
            String text = new String(acc.toByteArray(), StandardCharsets.UTF_8);
            String[] all = text.split("\n", -1);
            int n = Math.min(want, text.endsWith("\n") ? all.length - 1 : all.length);
            for (int i = 0; i < n; i++) {
                x.console(all[i]);
            }
            if (r.failed()) {
                Shell.fail(x, 1, "head: error reading '" + path + "': " + r.errno.text());
            }
            return closeFd(fd);
        }));
        return ops;
    }

    private static int newlines(byte[] b) {
        int n = 0;
        for (byte x : b) {
            if (x == '\n') {
                n++;
            }
        }
        return n;
    }

    private static List<Op> closeFd(int fd) {
        return Sys.call("close", c -> {
            FileSyscalls.close(c, fd);
            return IoResult.Done.of(0);
        });
    }

    // reboot: sysvinit's tool refuses non-root itself, then calls reboot(2).
    static List<Op> reboot(List<String> args) {
        if (!args.isEmpty()) {
            throw new IllegalArgumentException("reboot takes no arguments here");
        }
        return List.of(Sys.user("reboot", x -> {
            if (Shell.cred(x).uid() != 0) {
                Shell.fail(x, 1, "reboot: must be superuser.");
                return List.of();
            }
            List<Op> ops = new ArrayList<>(Sys.call("reboot", c -> {
                Reboot.restart(c);
                return IoResult.Done.of(0);
            }));
            ops.add(Sys.act("reboot", y -> {
                Regs r = Sys.regs(y);
                if (r.failed()) {
                    Shell.fail(y, 1, "reboot: " + r.errno.text());
                }
            }));
            return ops;
        }));
    }

    // ./NAME args: a routine of the shell among the machine's Executables, looked up when it runs.
    static List<Op> program(String path, List<String> args) {
        List<String> argv = List.copyOf(args);
        return List.of(Sys.user(path, x -> {
            Executables.Routine p = Executables.of(x.kernel()).routine(path);
            if (p == null) {
                Shell.fail(x, 127, "sh: " + path + ": No such file or directory");
                return List.of();
            }
            return p.main().apply(argv);
        }));
    }

    // sysctl [-n] [-q] KEY... | sysctl [-w] KEY=VALUE... | sysctl -p [FILE] | sysctl -a
    static List<Op> sysctl(List<String> args) {
        Options o = new Options();
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("-") && rest.isEmpty() && !a.contains("=")) {
                for (char ch : a.substring(1).toCharArray()) {
                    switch (ch) {
                        case 'w' -> o.write = true;
                        case 'p' -> o.preload = true;
                        case 'n' -> o.printName = false;
                        case 'q' -> o.quiet = true;
                        case 'a' -> o.all = true;
                        default -> throw new IllegalArgumentException("sysctl: unsupported option -" + ch);
                    }
                }
            } else {
                rest.add(a);
            }
        }
        if (o.all) {
            return displayAll(o, PROC + "/");
        }
        if (o.preload) {
            String file = rest.isEmpty() ? "/etc/sysctl.conf" : rest.get(0);
            return preload(o, file);
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("sysctl needs a key, KEY=VALUE, -p or -a");
        }
        List<Op> ops = new ArrayList<>();
        for (String a : rest) {
            if (o.write || a.contains("=")) {
                int eq = a.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("sysctl -w needs KEY=VALUE, not " + a);
                }
                String key = a.substring(0, eq).strip();
                ops.addAll(writeSetting(o, key, a.substring(eq + 1).strip(), false));
            } else {
                ops.addAll(readSetting(o, a));
            }
        }
        return ops;
    }

    private static final class Options {
        boolean write;
        boolean preload;
        boolean printName = true;
        boolean quiet;
        boolean all;
    }

    /** slashdot: "vm.swappiness" and "vm/swappiness" both name /proc/sys/vm/swappiness; shown dotted. */
    private static String path(String key) {
        return PROC + "/" + (key.contains("/") ? key : key.replace('.', '/'));
    }

    private static String dotted(String key) {
        return key.replace('/', '.');
    }

    /** stat(2) of a path: the result is st_mode (type and permission bits). */
    private static List<Op> stat(String path) {
        return Sys.call("stat", c -> {
            Vfs.Node n = FileSyscalls.vfs(c).lookup(path);
            return IoResult.Done.of(n.typeBits() | n.mode());
        });
    }

    /** stat(2) of {@code path}, then {@code then} with its mode; a failed stat ends sysctl with "cannot stat". */
    private static List<Op> statThen(String path, BiFunction<Exec, Integer, List<Op>> then) {
        List<Op> ops = new ArrayList<>(stat(path));
        ops.add(Sys.user("sysctl", x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                Shell.fail(x, 1, "sysctl: cannot stat " + path + ": " + r.errno.text());
                return List.of();
            }
            return then.apply(x, (int) r.ret);
        }));
        return ops;
    }

    // ReadSetting.
    private static List<Op> readSetting(Options o, String key) {
        String path = path(key);
        String name = dotted(key);
        return statThen(path, (x, mode) -> {
            if ((mode & S_IRUSR) == 0) {
                return List.of();
            }
            if ((mode & Vfs.S_IFDIR) == Vfs.S_IFDIR) {
                return displayAll(o, path + "/");
            }
            return openThen("sysctl", path, OpenFlags.O_RDONLY, e -> switch (e) {
                case ENOENT -> "sysctl: \"" + name + "\" is an unknown key";
                case EACCES -> "sysctl: permission denied on key '" + name + "'";
                default -> "sysctl: reading key \"" + name + "\": " + e.text();
            }, fd -> {
                List<Op> read = new ArrayList<>(Sys.call("read", c -> FileSyscalls.read(c, fd, READ_CHUNK)));
                read.add(Sys.user("sysctl", z -> {
                    Regs r3 = Sys.regs(z);
                    if (r3.failed()) {
                        Shell.fail(z, 1, r3.errno == Errno.EACCES ? "sysctl: permission denied on key '" + name + "'"
                                : "sysctl: reading key \"" + name + "\"");
                    } else {
                        String text = new String(r3.data, StandardCharsets.UTF_8);
                        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
                        if (text.isEmpty() || text.endsWith("\n")) {
                            lines.remove(lines.size() - 1);
                        }
                        for (String line : lines) {
                            z.console(o.printName ? name + " = " + line : line);
                        }
                    }
                    return closeFd(fd);
                }));
                return read;
            });
        });
    }

    // DisplayAll: every entry below a directory, depth first in directory order.
    private static List<Op> displayAll(Options o, String dir) {
        List<String> names = new ArrayList<>();
        List<Op> ops = new ArrayList<>(Sys.call("getdents64", c -> {
            names.clear();
            names.addAll(FileSyscalls.readdir(c, dir));
            return IoResult.Done.of(names.size());
        }));
        ops.add(Sys.user("sysctl", x -> {
            if (Sys.regs(x).failed()) {
                Shell.fail(x, 1, "sysctl: unable to open directory \"" + dir + "\"");
                return List.of();
            }
            Vfs vfs = x.kernel().extension(Vfs.class, Vfs::new);
            List<Op> next = new ArrayList<>();
            for (String n : List.copyOf(names)) {
                String p = dir + n;
                if (vfs.exists(p) && vfs.lookup(p) instanceof Vfs.Dir) {
                    next.addAll(displayAll(o, p + "/"));
                } else {
                    next.addAll(readSetting(o, p.substring(PROC.length() + 1)));
                }
            }
            return next;
        }));
        return ops;
    }

    // WriteSetting.
    private static List<Op> writeSetting(Options o, String key, String value, boolean ignoreFailure) {
        String path = path(key);
        String name = dotted(key);
        String ignoring = ignoreFailure ? ", ignoring" : "";
        return statThen(path, (x, mode) -> {
            if ((mode & S_IWUSR) == 0) {
                Shell.fail(x, 1, "sysctl: setting key \"" + name + "\": " + Errno.EPERM.text());
                return List.of();
            }
            if ((mode & Vfs.S_IFDIR) == Vfs.S_IFDIR) {
                Shell.fail(x, 1, "sysctl: setting key \"" + name + "\": " + Errno.EISDIR.text());
                return List.of();
            }
            return openThen("sysctl", path, OpenFlags.O_WRONLY, e -> switch (e) {
                case ENOENT -> "sysctl: \"" + name + "\" is an unknown key" + ignoring;
                case EPERM, EROFS, EACCES -> "sysctl: permission denied on key \"" + name + "\"" + ignoring;
                default -> "sysctl: setting key \"" + name + "\"" + ignoring + ": " + e.text();
            }, fd -> {
                byte[] line = (value + "\n").getBytes(StandardCharsets.UTF_8);
                List<Op> write = new ArrayList<>(Sys.call("write", c -> FileSyscalls.write(c, fd, line)));
                write.add(Sys.user("sysctl", z -> {
                    Regs r3 = Sys.regs(z);
                    Errno failed = r3.failed() ? r3.errno : null;
                    List<Op> end = new ArrayList<>(closeFd(fd));
                    end.add(Sys.act("sysctl", w -> {
                        if (failed != null) {
                            // close_stream reports the buffered write's error.
                            Shell.fail(w, 1, "sysctl: setting key \"" + name + "\": " + failed.text());
                        } else if (!o.quiet) {
                            w.console(o.printName ? name + " = " + value : value);
                        }
                    }));
                    return end;
                }));
                return write;
            });
        });
    }

    // Preload: read the file, then write each setting in order.
    private static List<Op> preload(Options o, String file) {
        return openThen("sysctl", file, OpenFlags.O_RDONLY, e -> "sysctl: cannot open \"" + file + "\": " + e.text(),
                fd -> preloadRead(fd, o, file, new ByteArrayOutputStream()));
    }

    private static List<Op> preloadRead(int fd, Options o, String file, ByteArrayOutputStream acc) {
        List<Op> ops = new ArrayList<>(Sys.call("read", c -> FileSyscalls.read(c, fd, READ_CHUNK)));
        ops.add(Sys.user("sysctl", x -> {
            Regs r = Sys.regs(x);
            if (!r.failed() && r.ret > 0) {
                acc.write(r.data, 0, r.data.length);
                return preloadRead(fd, o, file, acc);
            }
            // Preload parses the whole file (warning about bad lines) before write_setting_list writes.
            List<Op> next = new ArrayList<>(closeFd(fd));
            List<Op> writes = new ArrayList<>();
            String text = new String(acc.toByteArray(), StandardCharsets.UTF_8);
            String[] lines = text.split("\n");
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].strip();
                if (line.length() < 2 || line.startsWith("#") || line.startsWith(";")) {
                    continue;
                }
                int eq = line.indexOf('=');
                if (eq < 0) {
                    if (!line.startsWith("-")) {
                        int linenum = i + 1;
                        next.add(Sys.act("sysctl", y -> y.console("sysctl: " + file + "(" + linenum + "): invalid syntax, continuing...")));
                    }
                    continue;
                }
                String key = line.substring(0, eq).strip();
                boolean ignore = key.startsWith("-");
                writes.addAll(writeSetting(o, ignore ? key.substring(1) : key, line.substring(eq + 1).strip(), ignore));
            }
            next.addAll(writes);
            return next;
        }));
        return ops;
    }

    static boolean isProgram(String cmd) {
        return cmd.startsWith("./") && cmd.length() > 2;
    }
}
