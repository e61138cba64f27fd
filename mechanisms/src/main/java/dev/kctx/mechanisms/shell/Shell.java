package dev.kctx.mechanisms.shell;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.TaskInfo;
import dev.kctx.contexts.Durations;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.mmap.Mm;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.user.ProcessExit;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFlags;
import dev.kctx.mechanisms.vfs.Vfs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A tiny shell for transcripts: each command prints its prompt line ({@code # cmd} for root,
 * {@code $ cmd} otherwise) to the console, then runs as the system calls the real tool makes,
 * printing what the tool prints (including its error messages). Unknown commands are refused
 * when the program is built, not at run time.
 */
public final class Shell {
    /** The commands understood. */
    public static final Set<String> COMMANDS = Set.of("cat", "echo", "ls", "insmod", "rmmod", "mknod", "mkdir", "rmdir",
            "dmesg", "sleep", "setuid", "lsmod", "modprobe", "wc", "dd", "exec", "head", "sysctl", "reboot", "kill");
    private static final int READ_CHUNK = 4096;
    /** User time of starting one command (fork, exec, dynamic linking), roughly. */
    public static final long EXEC_COST_NS = 500_000L;

    private Shell() {
    }

    /**
     * The operation running {@code line}: one command, or commands joined by {@code ;}, {@code &&}
     * and {@code ||} (POSIX sh 2.9.3 lists, left to right with equal precedence: after {@code &&}
     * the next command runs only when the last status was 0, after {@code ||} only when it was
     * not; a command that does not run leaves the status as it was). The prompt shows the whole
     * line once. Throws IllegalArgumentException for what this shell cannot run.
     */
    public static Op command(String line) {
        List<String[]> list = andOrList(line);
        List<Op> all = new ArrayList<>();
        all.add(Sys.act("prompt", x -> {
            // The shell has an address space (made on first use, as exec'd from /bin/sh before the run).
            Mm.of(x);
            x.console((cred(x).root() ? "# " : "$ ") + line);
        }));
        for (String[] part : list) {
            List<Op> one = new ArrayList<>();
            one.add(Sys.act("status", x -> Sys.regs(x).vars.put(PENDING, 0)));
            // fork + exec of the tool: the session takes time, so log timestamps move on.
            one.add(new Ops.Compute(EXEC_COST_NS));
            one.addAll(simple(part[1]));
            one.add(Sys.act("status", x -> Sys.regs(x).vars.put("?", Sys.regs(x).vars.getOrDefault(PENDING, 0))));
            String op = part[0];
            if (op == null || op.equals(";")) {
                all.addAll(one);
            } else {
                boolean and = op.equals("&&");
                all.add(Sys.user(op, x -> {
                    int last = (Integer) Sys.regs(x).vars.getOrDefault("?", 0);
                    return (last == 0) == and ? one : List.of();
                }));
            }
        }
        return new Ops.Loop(1, all);
    }

    /** The status the running command will leave in $? when it ends. */
    private static final String PENDING = "status pending";

    /**
     * Splits a command line at {@code ;}, {@code &&} and {@code ||} outside quotes: pairs of (the
     * operator before the command, or null for the first; the command). A trailing {@code ;} is
     * allowed; an empty command elsewhere is sh's syntax error.
     */
    static List<String[]> andOrList(String line) {
        List<String[]> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        String op = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                }
                cur.append(ch);
                continue;
            }
            String next = null;
            if (ch == ';') {
                next = ";";
            } else if ((ch == '&' || ch == '|') && i + 1 < line.length() && line.charAt(i + 1) == ch) {
                next = ch == '&' ? "&&" : "||";
                i++;
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
            }
            if (next == null) {
                cur.append(ch);
                continue;
            }
            if (cur.toString().isBlank()) {
                throw new IllegalArgumentException("sh: syntax error near unexpected token `" + next + "': " + line);
            }
            out.add(new String[] {op, cur.toString().trim()});
            cur.setLength(0);
            op = next;
        }
        if (cur.toString().isBlank()) {
            if (op == null || !op.equals(";")) {
                throw new IllegalArgumentException(op == null ? "empty shell command" : "sh: syntax error: " + op + " needs a command after it: " + line);
            }
        } else {
            out.add(new String[] {op, cur.toString().trim()});
        }
        return out;
    }

    /** One simple command (no list operators): its operations without the prompt. */
    private static List<Op> simple(String line) {
        List<String> words = split(line);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("empty shell command");
        }
        String cmd = words.get(0);
        // A path runs a program the machine has (Executables): a separate process, or a routine of the shell itself.
        boolean program = cmd.startsWith("./") || cmd.startsWith("/");
        if (!program && !COMMANDS.contains(cmd)) {
            throw new IllegalArgumentException("unknown shell command '" + cmd + "'; expected one of " + new java.util.TreeSet<>(COMMANDS)
                    + " or ./PROGRAM");
        }
        List<String> args = words.subList(1, words.size());
        return program ? runProgram(cmd, args) : switch (cmd) {
            case "cat" -> cat(args);
            case "echo" -> echo(args);
            case "ls" -> ls(args);
            case "insmod" -> insmod(args);
            case "rmmod" -> rmmod(args);
            case "modprobe" -> modprobe(args);
            case "mknod" -> mknod(args);
            case "mkdir" -> oneArg(args, "mkdir", p -> Sys.call("mkdir", c -> {
                FileSyscalls.mkdir(c, p, 0755);
                return IoResult.Done.of(0);
            }), (p, e) -> "mkdir: cannot create directory '" + p + "': " + e.text());
            case "rmdir" -> oneArg(args, "rmdir", p -> Sys.call("rmdir", c -> {
                FileSyscalls.rmdir(c, p);
                return IoResult.Done.of(0);
            }), (p, e) -> "rmdir: failed to remove '" + p + "': " + e.text());
            case "dmesg" -> dmesg(args);
            case "sleep" -> Sys.nanosleep(Durations.parse(args.size() == 1 ? args.get(0) : "?"));
            case "setuid" -> setuid(args);
            case "lsmod" -> lsmod();
            case "wc" -> FileTools.wc(args);
            case "dd" -> FileTools.dd(args);
            case "exec" -> ShellTools.exec(args);
            case "head" -> ShellTools.head(args);
            case "sysctl" -> ShellTools.sysctl(args);
            case "reboot" -> ShellTools.reboot(args);
            case "kill" -> ShellTools.kill(args);
            default -> ShellTools.program(cmd, args);
        };
    }

    /** A tool's error: its message on the console and its exit status for $?. */
    static void fail(Exec x, int status, String message) {
        x.console(message);
        status(x, status);
    }

    /**
     * A program by path, looked up in the machine's {@link Executables} when it runs: a process
     * image (fork, execve, wait4, $?), a program file that runs as its own process, or one of the
     * shell's own routines.
     */
    private static List<Op> runProgram(String cmd, List<String> args) {
        List<String> argv = List.copyOf(args);
        String path = cmd.startsWith("/") ? cmd : CWD + cmd.substring(1);
        return List.of(Sys.user(cmd, x -> {
            Executables programs = Executables.of(x.kernel());
            if (programs.lookup(path) != null) {
                return run(cmd, argv);
            }
            if (programs.programFile(cmd) != null) {
                return runFile(cmd, argv);
            }
            return ShellTools.program(cmd, argv);
        }));
    }

    /** A program file: clone and wait4 as plain system calls; a missing file is 127, another failure 126. */
    private static List<Op> runFile(String path, List<String> args) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        List<Op> ops = new ArrayList<>(Sys.call("clone", c -> {
            Function<List<String>, List<Op>> prog = Executables.of(c.kernel()).programFile(path);
            if (prog == null) {
                throw new KernelError(Errno.ENOENT);
            }
            return IoResult.Done.of(c.exec().spawnProcess(name, Executables.programFileProcess(prog, args, c.cred().uid()), -1));
        }));
        ops.add(Sys.user(name, x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                fail(x, r.errno == Errno.ENOENT ? 127 : 126, "sh: " + path + ": " + r.errno.text());
                return List.of();
            }
            int pid = (int) r.ret;
            return Sys.call("wait4", c -> {
                TaskInfo t = c.kernel().task(pid);
                return t == null || t.exited() ? IoResult.Done.of(pid) : new IoResult.WouldBlock("exit:" + pid);
            });
        }));
        return ops;
    }

    /** The shell's working directory: "./prog" is /root/prog. */
    public static final String CWD = "/root";

    // ./prog ARGS: fork, execve in the child (a program of the machine's Executables), wait4 for it;
    // like bash, say how a child killed by a signal died, and keep its status for $?.
    private static List<Op> run(String cmd, List<String> args) {
        String path = cmd.startsWith("/") ? cmd : CWD + cmd.substring(1);
        List<String> argv = new ArrayList<>();
        argv.add(cmd);
        argv.addAll(args);
        List<Op> ops = new ArrayList<>();
        ops.add(new Ops.SysEnter("clone"));
        ops.add(new Fork(path, List.copyOf(argv)));
        ops.add(new Ops.SysExit("clone", 0));
        ops.add(new Ops.SysEnter("wait4"));
        ops.add(new Wait4());
        ops.add(new Ops.SysExit("wait4", 0));
        ops.add(Sys.act("wait", x -> {
            Regs r = Sys.regs(x);
            int status = (Integer) r.vars.get(STATUS);
            if (status < 0) {
                fail(x, 127, "sh: " + cmd + ": No such file or directory");
                return;
            }
            int sig = ProcessExit.termSig(status);
            if (ProcessExit.signaled(status) && sig != dev.kctx.mechanisms.Signo.SIGINT && sig != dev.kctx.mechanisms.Signo.SIGPIPE) {
                x.console(dev.kctx.mechanisms.Signo.text(sig));
            }
            status(x, ProcessExit.shellStatus(status));
        }));
        return ops;
    }

    private static final String CHILD = "child pid";
    private static final String STATUS = "child status";

    /** clone + execve: the child runs the image as this shell's user; no such file leaves no child. */
    record Fork(String path, List<String> argv) implements Op {
        public dev.kctx.actors.program.Outcome execute(Exec x) {
            Regs r = Sys.regs(x);
            Executables.Image image = Executables.of(x.kernel()).lookup(path);
            if (image == null) {
                r.vars.put(CHILD, -1);
                return dev.kctx.actors.program.Outcome.Next.INSTANCE;
            }
            int pid = x.spawnProcess(Executables.comm(path), Executables.process(image, argv, Mm.DEFAULT_ENV, cred(x).uid(),
                    y -> Mm.execve(y, path, argv, Mm.DEFAULT_ENV)), -1);
            r.vars.put(CHILD, pid);
            return dev.kctx.actors.program.Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "fork+execve " + path;
        }
    }

    /** wait4: sleeps (interruptibly) until the child has exited; leaves its wait status. */
    record Wait4() implements Op {
        public dev.kctx.actors.program.Outcome execute(Exec x) {
            Regs r = Sys.regs(x);
            int pid = (Integer) r.vars.get(CHILD);
            if (pid < 0) {
                r.vars.put(STATUS, -1);
                return dev.kctx.actors.program.Outcome.Next.INSTANCE;
            }
            int status = ProcessExit.waitStatus(x.kernel(), pid);
            if (status >= 0) {
                r.vars.put(STATUS, status);
                return dev.kctx.actors.program.Outcome.Next.INSTANCE;
            }
            // Woken by a signal it goes back to waiting (addWaiter lists it once).
            x.kernel().waitQueue("exit:" + pid).addWaiter(x.waitHandle());
            x.check(dev.kctx.contexts.KernelCall.SCHEDULE, "wait4", pid);
            return new dev.kctx.actors.program.Outcome.Block("exit:" + pid, 'S');
        }

        public String describe() {
            return "wait4";
        }
    }

    static Cred cred(Exec x) {
        return Cred.of(x);
    }

    /** Splits like a shell: whitespace, double and single quotes. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean in = false;
        char quote = 0;
        for (char ch : line.toCharArray()) {
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
                in = true;
            } else if (Character.isWhitespace(ch)) {
                if (in) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    in = false;
                }
            } else {
                cur.append(ch);
                in = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated quote in: " + line);
        }
        if (in) {
            out.add(cur.toString());
        }
        return out;
    }

    static void print(Exec x, byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            return;
        }
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        for (String l : text.split("\n", -1)) {
            x.console(l);
        }
    }

    // cat FILE...: open, read until 0, close; "cat: FILE: message" on errors.
    private static List<Op> cat(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("cat needs a file");
        }
        List<Op> ops = new ArrayList<>();
        for (String path : args) {
            ops.addAll(Sys.call("open", c -> IoResult.Done.of(FileSyscalls.open(c, path, OpenFlags.O_RDONLY))));
            ops.add(Sys.user("cat", x -> {
                Regs r = Sys.regs(x);
                if (r.failed()) {
                    fail(x, 1, "cat: " + path + ": " + r.errno.text());
                    return List.of();
                }
                int fd = (int) r.ret;
                ByteArrayOutputStream acc = new ByteArrayOutputStream();
                return readLoop(fd, acc, path);
            }));
        }
        return ops;
    }

    private static List<Op> readLoop(int fd, ByteArrayOutputStream acc, String path) {
        List<Op> ops = new ArrayList<>(Sys.call("read", c -> FileSyscalls.read(c, fd, READ_CHUNK)));
        ops.add(Sys.user("cat", x -> {
            Regs r = Sys.regs(x);
            if (r.failed() || r.ret == 0) {
                print(x, acc.toByteArray());
                if (r.failed()) {
                    fail(x, 1, "cat: " + path + ": " + r.errno.text());
                }
                return Sys.call("close", c -> {
                    FileSyscalls.close(c, fd);
                    return IoResult.Done.of(0);
                });
            }
            acc.write(r.data, 0, r.data.length);
            return readLoop(fd, acc, path);
        }));
        return ops;
    }

    // echo [-n] WORDS [> FILE | >> FILE]
    private static List<Op> echo(List<String> args) {
        List<String> words = new ArrayList<>(args);
        boolean newline = true;
        if (!words.isEmpty() && words.get(0).equals("-n")) {
            newline = false;
            words.remove(0);
        }
        String target = null;
        boolean append = false;
        for (int i = 0; i < words.size(); i++) {
            if (words.get(i).equals(">") || words.get(i).equals(">>")) {
                if (i + 1 >= words.size()) {
                    throw new IllegalArgumentException("echo: missing file after " + words.get(i));
                }
                append = words.get(i).equals(">>");
                target = words.get(i + 1);
                words = new ArrayList<>(words.subList(0, i));
                break;
            }
        }
        String text = String.join(" ", words) + (newline ? "\n" : "");
        if (target == null) {
            // $? is the status of the last program the shell ran.
            return List.of(Sys.act("echo", x -> print(x, text.replace("$?", String.valueOf(Sys.regs(x).vars.getOrDefault("?", 0)))
                    .getBytes(StandardCharsets.UTF_8))));
        }
        String path = target;
        int flags = OpenFlags.O_WRONLY | OpenFlags.O_CREAT | (append ? OpenFlags.O_APPEND : OpenFlags.O_TRUNC);
        List<Op> ops = new ArrayList<>(Sys.call("open", c -> IoResult.Done.of(FileSyscalls.open(c, path, flags))));
        ops.add(Sys.user("echo", x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                fail(x, 1, "sh: " + path + ": " + r.errno.text());
                return List.of();
            }
            int fd = (int) r.ret;
            return writeAll(fd, text.getBytes(StandardCharsets.UTF_8), 0);
        }));
        return ops;
    }

    /**
     * The shell's echo writes through stdio, which loops on short writes: after write(2) returned
     * fewer bytes than asked, the rest goes in another write (a sysfs attribute takes a page per
     * store()). An error prints bash's "write error" line; then the file is closed.
     */
    private static List<Op> writeAll(int fd, byte[] bytes, int from) {
        byte[] rest = java.util.Arrays.copyOfRange(bytes, from, bytes.length);
        List<Op> w = new ArrayList<>(Sys.call("write", c -> FileSyscalls.write(c, fd, rest)));
        w.add(Sys.user("echo", y -> {
            Regs r2 = Sys.regs(y);
            if (r2.failed()) {
                fail(y, 1, "sh: echo: write error: " + r2.errno.text());
            } else if (r2.ret > 0 && from + r2.ret < bytes.length) {
                return writeAll(fd, bytes, from + (int) r2.ret);
            }
            return Sys.call("close", c -> {
                FileSyscalls.close(c, fd);
                return IoResult.Done.of(0);
            });
        }));
        return w;
    }

    // ls [-F] DIR: names on one line, two spaces apart, as on a terminal.
    private static List<Op> ls(List<String> args) {
        for (String a : args) {
            if (a.startsWith("-") && !a.equals("-F")) {
                throw new IllegalArgumentException("ls: option " + a + " is not modelled (only -F)");
            }
        }
        boolean classify = args.contains("-F");
        List<String> paths = args.stream().filter(a -> !a.startsWith("-")).toList();
        String path = paths.isEmpty() ? "/" : paths.get(0);
        List<String> names = new ArrayList<>();
        boolean[] found = {false};
        List<Op> ops = new ArrayList<>(Sys.call("getdents64", c -> {
            names.clear();
            found[0] = false;
            Vfs.Node node = FileSyscalls.vfs(c).lookup(path, c.cred());
            found[0] = true;
            if (!(node instanceof Vfs.Dir)) {
                // ls of a file: stat says it is not a directory, and ls lists the operand itself.
                names.add(path);
                return IoResult.Done.of(1);
            }
            List<String> got = FileSyscalls.readdir(c, path);
            Vfs vfs = FileSyscalls.vfs(c);
            for (String n : got) {
                boolean dir = vfs.lookup((path.endsWith("/") ? path : path + "/") + n) instanceof Vfs.Dir;
                names.add(classify && dir ? n + "/" : n);
            }
            return IoResult.Done.of(got.size());
        }));
        ops.add(Sys.act("ls", x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                // stat failed: "cannot access"; opendir failed: "cannot open directory".
                fail(x, 2, "ls: " + (found[0] ? "cannot open directory '" : "cannot access '") + path + "': " + r.errno.text());
            } else if (!names.isEmpty()) {
                x.console(String.join("  ", names));
            }
        }));
        return ops;
    }

    private static List<Op> insmod(List<String> args) {
        if (args.isEmpty() || !args.get(0).endsWith(".ko")) {
            throw new IllegalArgumentException("insmod needs a module file NAME.ko");
        }
        String file = args.get(0);
        List<String> params = List.copyOf(args.subList(1, args.size()));
        List<Op> ops = new ArrayList<>(Sys.call("init_module", c -> {
            modules(c.kernel()).insmodFile(c, file, params);
            return IoResult.Done.of(0);
        }));
        ops.add(Sys.act("insmod", x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                String msg = Kmod.insertError(r.errno);
                if (r.errno == Errno.ENOENT && modules(x.kernel()).file(file) == null) {
                    fail(x, 1, "insmod: ERROR: could not load module " + file + ": No such file or directory");
                } else {
                    fail(x, 1, "insmod: ERROR: could not insert module " + file + ": " + msg);
                }
            }
        }));
        return ops;
    }

    private static Modules modules(dev.kctx.actors.program.KernelObjects k) {
        return k.extension(Modules.class, () -> new Modules(List.of()));
    }

    /**
     * kmod's rmmod (tools/rmmod.c do_rmmod): the name normalised (Kmod.normalize), then
     * check_module_inuse from sysfs, which refuses without a system call ("is not currently
     * loaded", "is in use by: ...", "is in use"); only then delete_module, whose failure is
     * "could not remove module ARG: strerror". Exit status 1 on any failure.
     */
    private static List<Op> rmmod(List<String> args) {
        if (args.size() != 1) {
            throw new IllegalArgumentException("rmmod needs one module name");
        }
        String arg = args.get(0);
        String name = Kmod.normalize(arg.substring(arg.lastIndexOf('/') + 1));
        List<Op> ops = new ArrayList<>(Kmod.readState(name));
        ops.add(Sys.user("rmmod", x -> {
            Kmod.State st = Kmod.state(x);
            String refusal = st.initstate == null ? "Module " + name + " is not currently loaded"
                    : !st.holders.isEmpty() ? "Module " + name + " is in use by: " + String.join(" ", st.holders)
                    : st.refcnt != 0 ? "Module " + name + " is in use" : null;
            if (refusal != null) {
                fail(x, 1, "rmmod: ERROR: " + refusal);
                return List.of();
            }
            return deleteModule(name, e -> "rmmod: ERROR: could not remove module " + arg + ": " + e.text());
        }));
        return ops;
    }

    /** kmod_module_remove_module: delete_module(name, O_NONBLOCK); on failure the tool's message and status 1. */
    private static List<Op> deleteModule(String name, java.util.function.Function<Errno, String> failure) {
        List<Op> del = new ArrayList<>(Sys.call("delete_module", c -> {
            modules(c.kernel()).rmmod(c, name);
            return IoResult.Done.of(0);
        }));
        del.add(Sys.act("delete_module", y -> {
            Regs r = Sys.regs(y);
            if (r.failed()) {
                fail(y, 1, failure.apply(r.errno));
            } else {
                status(y, 0);
            }
        }));
        return del;
    }

    /**
     * kmod's modprobe (tools/modprobe.c) for modules without dependencies: {@code modprobe NAME
     * [PARAM=VALUE...]} finds the file by normalised name and inserts it (nothing to do when it is
     * already live); {@code modprobe -r NAME} removes it, refusing a module in use itself.
     */
    private static List<Op> modprobe(List<String> args) {
        boolean remove = !args.isEmpty() && args.get(0).equals("-r");
        List<String> rest = remove ? args.subList(1, args.size()) : args;
        if (rest.isEmpty() || (remove && rest.size() != 1)) {
            throw new IllegalArgumentException("modprobe needs NAME [PARAM=VALUE...] or -r NAME");
        }
        String alias = rest.get(0);
        String name = Kmod.normalize(alias);
        List<String> params = List.copyOf(rest.subList(1, rest.size()));
        List<Op> ops = new ArrayList<>(Kmod.readState(name));
        ops.add(Sys.user("modprobe", x -> {
            Kmod.State st = Kmod.state(x);
            if (remove) {
                // modprobe -r: a module not in the kernel is nothing to do (unless --first-time).
                if (st.initstate == null) {
                    status(x, 0);
                    return List.of();
                }
                if (st.refcnt > 0) {
                    fail(x, 1, "modprobe: FATAL: Module " + name + " is in use.");
                    return List.of();
                }
                return deleteModule(name, e -> "modprobe: FATAL: could not remove '" + name + "': " + e.text());
            }
            // Already live: modprobe has nothing to do (KMOD_PROBE_IGNORE_LOADED).
            if ("live".equals(st.initstate)) {
                status(x, 0);
                return List.of();
            }
            dev.kctx.mechanisms.module.ModuleDef def = Kmod.find(x.kernel(), name);
            if (def == null) {
                x.console("modprobe: FATAL: Module " + alias + " not found in directory " + Kmod.MODULE_DIR);
                status(x, 1);
                return List.of();
            }
            List<Op> ins = new ArrayList<>(Sys.call("init_module", c -> {
                modules(c.kernel()).insmodFile(c, def.file(), params);
                return IoResult.Done.of(0);
            }));
            ins.add(Sys.act("modprobe", y -> {
                Regs r = Sys.regs(y);
                if (r.failed()) {
                    y.console("modprobe: ERROR: could not insert '" + name + "': " + Kmod.insertError(r.errno));
                }
                status(y, r.failed() ? 1 : 0);
            }));
            return ins;
        }));
        return ops;
    }

    /** The running command's exit status, which becomes $? when it ends (and decides && and ||). */
    static void status(Exec x, int code) {
        Sys.regs(x).vars.put(PENDING, code);
    }

    private static List<Op> lsmod() {
        return List.of(Sys.act("lsmod", x -> {
            Modules m = modules(x.kernel());
            x.console("Module                  Size  Used by");
            List<String> names = new ArrayList<>(m.loadedNames());
            java.util.Collections.reverse(names);
            for (String n : names) {
                x.console(String.format("%-19s %8d  %d", n, 16384, m.get(n).refcnt()));
            }
        }));
    }

    // mknod PATH c MAJOR MINOR
    private static List<Op> mknod(List<String> args) {
        if (args.size() != 4 || !args.get(1).equals("c")) {
            throw new IllegalArgumentException("mknod needs PATH c MAJOR MINOR");
        }
        String path = args.get(0);
        int major = ShellTools.intNumber("mknod: major", args.get(2), 0, Integer.MAX_VALUE);
        int minor = ShellTools.intNumber("mknod: minor", args.get(3), 0, Integer.MAX_VALUE);
        List<Op> ops = new ArrayList<>(Sys.call("mknod", c -> {
            FileSyscalls.mknodChar(c, path, 0644, major, minor);
            return IoResult.Done.of(0);
        }));
        ops.add(Sys.act("mknod", x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                fail(x, 1, "mknod: " + path + ": " + r.errno.text());
            }
        }));
        return ops;
    }

    private static List<Op> oneArg(List<String> args, String cmd, java.util.function.Function<String, List<Op>> call,
                                   java.util.function.BiFunction<String, Errno, String> error) {
        if (args.size() != 1) {
            throw new IllegalArgumentException(cmd + " needs one path");
        }
        String p = args.get(0);
        List<Op> ops = new ArrayList<>(call.apply(p));
        ops.add(Sys.act(cmd, x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                fail(x, 1, error.apply(p, r.errno));
            }
        }));
        return ops;
    }

    // dmesg: the kernel log; dmesg -c also clears it (needs CAP_SYS_ADMIN).
    private static List<Op> dmesg(List<String> args) {
        boolean clear = args.contains("-c");
        List<Op> ops = new ArrayList<>(Sys.call("syslog", c -> {
            LogCursor cur = c.kernel().extension(LogCursor.class, LogCursor::new);
            List<String> log = c.kernel().kernelLog();
            List<String> lines = new ArrayList<>(log.subList(Math.min(cur.from, log.size()), log.size()));
            if (clear) {
                if (!c.cred().capable(Cred.Cap.CAP_SYS_ADMIN)) {
                    throw new KernelError(Errno.EPERM);
                }
                cur.from = log.size();
            }
            return IoResult.Done.read(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
        }));
        ops.add(Sys.act("dmesg", x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                fail(x, 1, "dmesg: read kernel buffer failed: " + r.errno.text());
            } else {
                print(x, r.data);
            }
        }));
        return ops;
    }

    /** Where dmesg -c cleared the log. */
    static final class LogCursor {
        int from;
    }

    private static List<Op> setuid(List<String> args) {
        if (args.size() != 1) {
            throw new IllegalArgumentException("setuid needs a uid");
        }
        int uid = ShellTools.intNumber("setuid: uid", args.get(0), 0, Integer.MAX_VALUE);
        List<Op> ops = new ArrayList<>(Sys.call("setuid", c -> {
            c.cred().setuid(uid);
            return IoResult.Done.of(0);
        }));
        ops.add(Sys.act("setuid", x -> status(x, Sys.regs(x).failed() ? 1 : 0)));
        return ops;
    }

}
