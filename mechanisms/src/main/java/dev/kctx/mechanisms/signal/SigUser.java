package dev.kctx.mechanisms.signal;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.signal.SignalProtocol.Error;
import dev.kctx.mechanisms.signal.SignalProtocol.Mask;
import dev.kctx.mechanisms.signal.SignalProtocol.Reply;
import dev.kctx.mechanisms.signal.SignalProtocol.Request;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.IoResult;

import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The signal calls of a user program, each a system call (enter, the kernel side in process
 * context, return) leaving its result in the task's {@link Regs}: ret 0 or -1 with errno; a
 * returned signal set in the variable {@link #SIGSET}. Handlers run on the way back to user mode.
 */
public final class SigUser {
    /** The variable where sigprocmask and sigpending leave a signal set. */
    public static final String SIGSET = "sigset";

    private SigUser() {
    }

    /** sigaction(sig, &act, NULL). */
    public static List<Op> sigaction(int sig, SigAction action) {
        return call("rt_sigaction", new SignalProtocol.Action(sig, action));
    }

    /** sigprocmask(how, &set, &old): the old mask in {@link #SIGSET}. */
    public static List<Op> sigprocmask(int how, long set) {
        return call("rt_sigprocmask", new SignalProtocol.ProcMask(how, set));
    }

    /** sigpending(&set): the blocked pending signals in {@link #SIGSET}. */
    public static List<Op> sigpending() {
        return call("rt_sigpending", new SignalProtocol.Pending());
    }

    /** kill(pid, sig). Process groups (pid 0 or negative) are not modelled. */
    public static List<Op> kill(int pid, int sig) {
        return kill(x -> pid, sig);
    }

    /** kill with a pid known only at run time (a child's, one read from a variable). */
    public static List<Op> kill(ToIntFunction<Exec> pid, int sig) {
        return Sys.call("kill", c -> io(c, new SignalProtocol.Kill(positive(pid.applyAsInt(c.exec())), sig)));
    }

    /** sigqueue(pid, sig, (union sigval){ .sival_int = value }). */
    public static List<Op> sigqueue(ToIntFunction<Exec> pid, int sig, int value) {
        return Sys.call("rt_sigqueueinfo", c -> io(c, new SignalProtocol.Queue(positive(pid.applyAsInt(c.exec())), sig, value)));
    }

    /** raise(sig): kill(getpid(), sig). */
    public static List<Op> raise(int sig) {
        return kill(Exec::pid, sig);
    }

    /** setrlimit(RLIMIT_SIGPENDING, {n, n}). */
    public static List<Op> setrlimitSigpending(long n) {
        return call("prlimit64", new SignalProtocol.SetRlimit(n));
    }

    /** pause(): sleeps until a handler has run (or a signal killed the process); returns -1 with EINTR. */
    public static List<Op> pause() {
        return Sys.call("pause", c -> new IoResult.WouldBlock("pause:" + c.pid()));
    }

    /** sigsuspend(&mask): pause with {@code mask} in force; the old mask is back once the handler returned. */
    public static List<Op> sigsuspend(long mask) {
        return Sys.call("rt_sigsuspend", c -> {
            Signals.of(c.kernel()).suspend(c.pid(), mask);
            return new IoResult.WouldBlock("pause:" + c.pid());
        });
    }

    /** perror(what) when the last call failed. */
    public static Op perror(String what) {
        return Sys.perror(what);
    }

    private static List<Op> call(String name, Request req) {
        return Sys.call(name, c -> io(c, req));
    }

    private static IoResult io(FileCtx c, Request req) {
        Reply r = Signals.of(c.kernel()).handle(c.exec(), req);
        if (r instanceof Error e) {
            throw new KernelError(e.errno());
        }
        if (r instanceof Mask m) {
            Sys.regs(c.exec()).vars.put(SIGSET, m.set());
        }
        return IoResult.Done.of(0);
    }

    private static int positive(int pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("kill to process groups (pid " + pid + ") is not modelled");
        }
        return pid;
    }
}
