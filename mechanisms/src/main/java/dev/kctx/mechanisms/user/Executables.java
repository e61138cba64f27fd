package dev.kctx.mechanisms.user;

import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.mmap.Mm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The programs a machine has on disk, by absolute path: what the shell's fork+execve and the
 * kernel's call_usermodehelper start. An image is a function of the argument vector (argv[0]
 * first) and the environment giving the simulated operations the process runs; nothing runs on
 * the host. Boot it with {@code MachineSpec.builder().boot(Executables.class, () -> new Executables(map))};
 * a path not in the map does not exist (execve: ENOENT).
 */
public final class Executables {

    /** A program image: its operations for one run with these arguments. */
    @FunctionalInterface
    public interface Image {
        List<Op> ops(List<String> argv, List<String> envp);
    }

    /** The command name (comm) is the base name cut to TASK_COMM_LEN - 1 characters. */
    public static final int TASK_COMM_LEN = 16;

    private final Map<String, Image> byPath = new TreeMap<>();

    public Executables(Map<String, Image> images) {
        images.forEach((path, image) -> {
            if (!path.startsWith("/") || path.endsWith("/")) {
                throw new IllegalArgumentException("executable paths are absolute file names, not '" + path + "'");
            }
            byPath.put(path, image);
        });
    }

    /** The machine's executables (none unless booted). */
    public static Executables of(KernelObjects k) {
        return k.extension(Executables.class, () -> new Executables(Map.of()));
    }

    /** The image at {@code path}, or null when there is no such file. */
    public Image lookup(String path) {
        return byPath.get(path);
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
        return process(null, image, argv, envp, uid);
    }

    /** The same for the program file at {@code path}: execve gives the process its address space (Mm.execve). */
    public static Program process(String path, Image image, List<String> argv, List<String> envp, int uid) {
        List<Op> ops = new ArrayList<>();
        ops.add(Sys.act("execve", x -> {
            if (uid != 0) {
                Cred.of(x).setuid(uid);
            }
            if (path != null) {
                Mm.execve(x, path, argv, envp);
            }
        }));
        ops.addAll(image.ops(List.copyOf(argv), List.copyOf(envp)));
        ops.add(ProcessExit.exit(0));
        return new Program(ops, 1);
    }
}
