package dev.kctx.mechanisms.user;

import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Program;
import dev.kctx.actors.program.TaskInfo;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.vfs.FdTable;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.IoResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The user programs a machine has on disk (the seed's gnuser, say), by name: each makes the
 * operations of a run from its arguments. The shell runs one ({@code ./gnuser "text"}) as fork, exec
 * and wait: a new process with its own pid and the shell's uid, which the shell waits for. Create
 * it at boot: {@code MachineSpec.builder().boot(ProgramFiles.class, () -> new ProgramFiles(map))}.
 */
public final class ProgramFiles {
    private final Map<String, Function<List<String>, List<Op>>> programs;

    /**
     * What exit(2) does to the descriptors a program left open (do_exit's exit_files): each is
     * closed, so sockets release their ports. A program that ends with {@code Ops.ExitProcess}
     * skips this.
     */
    static final List<Op> EXIT_FILES = Sys.call("exit_group", c -> {
        FdTable fds = FileSyscalls.fds(c);
        for (int fd : List.copyOf(fds.open().keySet())) {
            FileSyscalls.close(c, fd);
        }
        return IoResult.Done.of(0);
    });

    public ProgramFiles(Map<String, Function<List<String>, List<Op>>> programs) {
        this.programs = new TreeMap<>(programs);
    }

    public ProgramFiles() {
        this(Map.of());
    }

    public static ProgramFiles get(KernelObjects k) {
        return k.extension(ProgramFiles.class, ProgramFiles::new);
    }

    /** The program named by the last component of {@code path}, or null. */
    public Function<List<String>, List<Op>> find(String path) {
        return programs.get(path.substring(path.lastIndexOf('/') + 1));
    }

    /** fork + execve(path, args) + wait4: the shell's operations for a command naming a program. */
    static List<Op> run(String path, List<String> args) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        List<Op> ops = new ArrayList<>(Sys.call("clone", c -> {
            Function<List<String>, List<Op>> prog = get(c.kernel()).find(path);
            if (prog == null) {
                throw new KernelError(Errno.ENOENT);
            }
            int uid = c.cred().uid();
            List<Op> body = new ArrayList<>();
            if (uid != 0) {
                body.add(Sys.act("setuid", y -> y.taskLocal(Cred.class, Cred::new).setuid(uid)));
            }
            body.addAll(prog.apply(List.copyOf(args)));
            body.addAll(EXIT_FILES);
            return IoResult.Done.of(c.exec().spawnProcess(name, new Program(body, 1), -1));
        }));
        ops.add(Sys.user(name, x -> {
            Regs r = Sys.regs(x);
            if (r.failed()) {
                Shell.fail(x, r.errno == Errno.ENOENT ? 127 : 126, "sh: " + path + ": " + r.errno.text());
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
}
