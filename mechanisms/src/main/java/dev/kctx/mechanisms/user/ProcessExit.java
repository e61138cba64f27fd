package dev.kctx.mechanisms.user;

import dev.kctx.mechanisms.vfs.VfsInitcall;
import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.TaskInfo;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.vfs.FdTable;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileSyscalls;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * do_exit for the processes the mechanisms start: the task lets go of what it holds (exit_mm drops
 * its mappings, exit_files closes its descriptors) and ends with a status; a death by signal is
 * remembered so that the parent's wait sees WIFSIGNALED, as wait4(2) reports it.
 */
public final class ProcessExit {
    private ProcessExit() {
    }

    /** exit_group(code): releases the process's resources and ends it. */
    public static Op exit(int code) {
        return new ExitOp(code, 0, false);
    }

    /** The default action of a fatal signal: the process dies with {@code sig} as its termination signal. */
    public static Op killedBy(int sig) {
        return new ExitOp(128 + sig, sig, false);
    }

    /**
     * Makes every process whose program ends run exit(0), as returning from main does, so that its
     * descriptors are closed and its release steps run (untraced: the program made no call).
     */
    public static void installAtProgramEnd(KernelObjects k) {
        k.setExitWork(x -> List.of(new ExitOp(0, 0, true)));
    }

    /** Registers a release step to run at exit (exit_mm, say), once per key, in registration order. */
    public static void atExit(Exec x, String key, Consumer<FileCtx> release) {
        x.taskLocal(Hooks.class, Hooks::new).byKey.putIfAbsent(key, release);
    }

    /** Forgets a release step (the mapping went away earlier). */
    public static void cancel(Exec x, String key) {
        x.taskLocal(Hooks.class, Hooks::new).byKey.remove(key);
    }

    /**
     * The status wait4(2) stores for {@code pid}: (code & 0xff) << 8 after exit(code), the signal
     * number after a death by signal (no core dumps here), -1 while the task lives or never existed.
     */
    public static int waitStatus(KernelObjects k, int pid) {
        TaskInfo t = k.task(pid);
        if (t == null || !t.exited()) {
            return -1;
        }
        Integer sig = k.extension(Deaths.class, Deaths::new).bySignal.get(pid);
        return sig != null ? sig : (t.exitCode() & 0xff) << 8;
    }

    /** WIFSIGNALED(status). */
    public static boolean signaled(int status) {
        return status > 0 && (status & 0x7f) != 0;
    }

    /** WTERMSIG(status). */
    public static int termSig(int status) {
        return status & 0x7f;
    }

    /** WEXITSTATUS(status). */
    public static int exitStatus(int status) {
        return (status >> 8) & 0xff;
    }

    /** The value a shell gives $? for a wait status: the exit status, or 128 + the signal. */
    public static int shellStatus(int status) {
        return signaled(status) ? 128 + termSig(status) : exitStatus(status);
    }

    static final class Hooks {
        final Map<String, Consumer<FileCtx>> byKey = new LinkedHashMap<>();
    }

    /** Which pids died of which signal. */
    static final class Deaths {
        final Map<Integer, Integer> bySignal = new TreeMap<>();
    }

    /** @param atProgramEnd the program ended without calling exit: the engine's end-of-program work */
    record ExitOp(int code, int signal, boolean atProgramEnd) implements Op {
        public Outcome execute(Exec x) {
            FileCtx c = new FileCtx(x);
            Hooks hooks = x.taskLocal(Hooks.class, Hooks::new);
            List<Consumer<FileCtx>> steps = new ArrayList<>(hooks.byKey.values());
            hooks.byKey.clear();
            steps.forEach(s -> s.accept(c));
            FdTable fds = FileSyscalls.fds(c);
            for (int fd : new ArrayList<>(fds.open().keySet())) {
                try {
                    FileSyscalls.close(c, fd);
                } catch (KernelError e) {
                    // a release that fails cannot stop an exit
                }
            }
            if (signal != 0) {
                x.kernel().extension(Deaths.class, Deaths::new).bySignal.put(x.pid(), signal);
                x.kernel().task(x.pid()).killedBy(signal);
            }
            x.setExitCode(code);
            return Outcome.Exit.INSTANCE;
        }

        public String describe() {
            return signal != 0 ? "do_exit(" + signal + ") killed by signal" : "exit_group(" + code + ")";
        }

        public boolean userMode() {
            return true;
        }

        public boolean traced() {
            return !atProgramEnd;
        }
    }

    /** exit_files: once tasks have descriptors, a process whose program ends closes what it still has open. */
    public static final class Boot implements VfsInitcall {
        @Override
        public void filesMade(KernelObjects k) {
            installAtProgramEnd(k);
        }
    }
}
