package dev.kctx.mechanisms.user;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.vfs.FdTable;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.IoResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The programs a machine has on disk: the one registry the shell's {@code ./NAME} and {@code /PATH},
 * fork+execve and the kernel's call_usermodehelper look programs up in. Nothing runs on the host:
 * a program is a function of its arguments giving the simulated operations it runs. A program runs
 * in one of three ways (see {@link Entry}): as a process image by absolute path (fork, execve,
 * wait4 with wait statuses), as a program file run by name in a process of its own (the socket
 * demos' programs), or as a routine inside the shell's own process. Boot it with
 * {@code MachineSpec.builder().boot(Executables.class, () -> new Executables(map))}, or
 * {@link #of(Entry...)}; a path not in it does not exist (execve: ENOENT).
 */
public final class Executables {

    /** A program image: its operations for one run with these arguments (argv[0] first) and environment. */
    @FunctionalInterface
    public interface Image {
        List<Op> ops(List<String> argv, List<String> envp);
    }

    /** A program on disk and how the shell runs it. */
    public sealed interface Entry permits ProcessImage, ProgramFile, Routine {
        /** The file's name: an absolute path for an image, a base name otherwise. */
        String name();
    }

    /** A process image at an absolute path: fork, execve in the child, wait4 for its wait status. */
    public record ProcessImage(String name, Image image) implements Entry {
        public ProcessImage {
            if (!name.startsWith("/") || name.endsWith("/")) {
                throw new IllegalArgumentException("executable paths are absolute file names, not '" + name + "'");
            }
        }
    }

    /**
     * A program file found by the last component of the command's path: clone and wait4 as plain
     * system calls, a child with the shell's uid whose descriptors exit_group closes.
     */
    public record ProgramFile(String name, Function<List<String>, List<Op>> main) implements Entry {
        public ProgramFile {
            checkName(name);
        }
    }

    /** A routine of the shell itself ({@code ./NAME args}): it runs in the shell's process (no fork), so comm and pid are the shell's. */
    public record Routine(String name, Function<List<String>, List<Op>> main) implements Entry {
        public Routine {
            checkName(name);
        }
    }

    private static void checkName(String name) {
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("bad program name '" + name + "'");
        }
    }

    /** The command name (comm) is the base name cut to TASK_COMM_LEN - 1 characters. */
    public static final int TASK_COMM_LEN = 16;

    private final Map<String, Image> byPath = new TreeMap<>();
    private final Map<String, Function<List<String>, List<Op>>> files = new TreeMap<>();
    private final Map<String, Routine> routines = new LinkedHashMap<>();

    /** Process images by absolute path. */
    public Executables(Map<String, Image> images) {
        images.forEach((path, image) -> add(new ProcessImage(path, image)));
    }

    /** A machine's programs, each named once among those of its kind. */
    public static Executables of(Entry... entries) {
        Executables e = new Executables(Map.of());
        for (Entry x : entries) {
            e.add(x);
        }
        return e;
    }

    /** Program files run by name in a process of their own (the socket demos' programs). */
    public static Executables programFiles(Map<String, Function<List<String>, List<Op>>> programs) {
        Executables e = new Executables(Map.of());
        programs.forEach((name, main) -> e.add(new ProgramFile(name, main)));
        return e;
    }

    /** Adds a program; a name its kind already has is an error. */
    public Executables add(Entry entry) {
        boolean taken;
        if (entry instanceof ProcessImage p) {
            taken = byPath.put(p.name(), p.image()) != null;
        } else if (entry instanceof ProgramFile f) {
            taken = files.put(f.name(), f.main()) != null;
        } else {
            taken = routines.put(entry.name(), (Routine) entry) != null;
        }
        if (taken) {
            throw new IllegalArgumentException("program " + entry.name() + " is defined twice");
        }
        return this;
    }

    /** The machine's executables (none unless booted). */
    public static Executables of(KernelObjects k) {
        return k.extension(Executables.class, () -> new Executables(Map.of()));
    }

    /** The image at {@code path}, or null when there is no such file. */
    public Image lookup(String path) {
        return byPath.get(path);
    }

    /** The program file named by the last component of {@code path}, or null. */
    public Function<List<String>, List<Op>> programFile(String path) {
        return files.get(path.substring(path.lastIndexOf('/') + 1));
    }

    /** The shell routine at {@code path} ("./NAME" or "NAME"), or null. */
    public Routine routine(String path) {
        return routines.get(path.startsWith("./") ? path.substring(2) : path);
    }

    public static String comm(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        return base.length() < TASK_COMM_LEN ? base : base.substring(0, TASK_COMM_LEN - 1);
    }

    /**
     * The body of a process running {@code image}: it starts with the credentials it inherits
     * ({@code uid}; a fresh task is root), runs the image, and exits with status 0 if the image
     * does not exit itself.
     */
    public static Program process(Image image, List<String> argv, List<String> envp, int uid) {
        return process(image, argv, envp, uid, x -> {
        });
    }

    /**
     * The same, with what execve does besides the credentials ({@code exec}: the shell's fork gives
     * the process its address space there).
     */
    public static Program process(Image image, List<String> argv, List<String> envp, int uid, Consumer<Exec> exec) {
        List<Op> ops = new ArrayList<>();
        ops.add(Sys.act("execve", x -> {
            if (uid != 0) {
                Cred.of(x).setuid(uid);
            }
            exec.accept(x);
        }));
        ops.addAll(image.ops(List.copyOf(argv), List.copyOf(envp)));
        ops.add(ProcessExit.exit(0));
        return new Program(ops, 1);
    }

    /**
     * What exit(2) does to the descriptors a program file left open (do_exit's exit_files): each is
     * closed, so sockets release their ports. A program that ends with {@code Ops.ExitProcess}
     * skips this.
     */
    private static final List<Op> EXIT_FILES = Sys.call("exit_group", c -> {
        FdTable fds = FileSyscalls.fds(c);
        for (int fd : List.copyOf(fds.open().keySet())) {
            FileSyscalls.close(c, fd);
        }
        return IoResult.Done.of(0);
    });

    /** The body of a process running program file {@code main}: the shell's uid, the program, exit_group. */
    public static Program programFileProcess(Function<List<String>, List<Op>> main, List<String> args, int uid) {
        List<Op> body = new ArrayList<>();
        if (uid != 0) {
            body.add(Sys.act("setuid", y -> y.taskLocal(Cred.class, Cred::new).setuid(uid)));
        }
        body.addAll(main.apply(List.copyOf(args)));
        body.addAll(EXIT_FILES);
        return new Program(body, 1);
    }
}
