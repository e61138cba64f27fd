package dev.kctx.mechanisms.user;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Ops;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Syscalls;
import dev.kctx.contexts.KernelCall;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.IoResult;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * System calls as operations of a user process: enter the kernel (sys_enter), run the call's
 * kernel side in the process's context, return (sys_exit with the value), leaving the result in
 * the task's {@link Regs}. A call that must wait sleeps on the wait queue it names and runs again
 * when woken, as the kernel's wait loops do.
 */
public final class Sys {
    private Sys() {
    }

    public static Regs regs(Exec x) {
        return x.taskLocal(Regs.class, Regs::new);
    }

    /** The three operations of one system call, numbered from the x86_64 table ({@link Syscalls#nr}). */
    public static List<Op> call(String name, Function<FileCtx, IoResult> body) {
        return callNr(Syscalls.nr(name), name, body);
    }

    /**
     * A system call whose kernel side ends with {@code then} after {@code body} has left its value:
     * an operation that changes what the CPU does next (sched_yield's schedule()).
     */
    public static List<Op> call(String name, Function<FileCtx, IoResult> body, Op then) {
        int nr = Syscalls.nr(name);
        return List.of(new Enter(name, nr), new Body(name, body), then, new Exit(name, nr));
    }

    /** perror(what) when the last call failed: {@code what: strerror(errno)} on the console. */
    public static Op perror(String what) {
        return act("perror", x -> {
            Regs r = regs(x);
            if (r.failed()) {
                x.console(what + ": " + (r.errno == null ? "Unknown error " + -r.ret : r.errno.text()));
            }
        });
    }

    /** A system call by number (syscall(2)); {@code name} is what the trace and reports call it. */
    public static List<Op> callNr(int nr, String name, Function<FileCtx, IoResult> body) {
        return List.of(new Enter(name, nr), new Body(name, body), new Exit(name, nr));
    }

    /**
     * nanosleep(2): the process sleeps (state S) for {@code ns} inside the system call, then returns
     * 0; a signal that wakes it early makes it return -1 EINTR (do_nanosleep's -ERESTART_RESTARTBLOCK,
     * which a handled signal turns into EINTR), and a fatal one kills it on the way out.
     */
    public static List<Op> nanosleep(long ns) {
        int nr = Syscalls.nr("nanosleep");
        return List.of(new Enter("nanosleep", nr), new Body("nanosleep", c -> {
            regs(c.exec()).vars.put(SLEEP_END, c.exec().now() + ns);
            return IoResult.Done.of(0);
        }), new Ops.Nanosleep(ns), SleepInterrupted.INSTANCE, new Exit("nanosleep", nr));
    }

    /** The Regs variable holding when the running nanosleep would end. */
    static final String SLEEP_END = "nanosleep.end";

    /** After an interruptible sleep: woken before its end with a signal to handle, the call fails with EINTR. */
    enum SleepInterrupted implements Op {
        INSTANCE;

        public Outcome execute(Exec x) {
            Regs r = regs(x);
            if (r.vars.remove(SLEEP_END) instanceof Long end && x.now() < end && x.userWorkPending()) {
                r.ret = dev.kctx.mechanisms.Errno.EINTR.negative();
                r.errno = dev.kctx.mechanisms.Errno.EINTR;
            }
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return "nanosleep interrupted?";
        }

        public boolean traced() {
            return false;
        }
    }

    /** A user-mode step: printing, deciding, queueing the next operations (returned, or empty). */
    public static Op user(String name, Function<Exec, List<Op>> step) {
        return new UserStep(name, step);
    }

    public static Op act(String name, Consumer<Exec> step) {
        return new UserStep(name, x -> {
            step.accept(x);
            return List.of();
        });
    }

    /** The kernel side of a system call, in process context. */
    record Body(String name, Function<FileCtx, IoResult> body) implements Op {
        public Outcome execute(Exec x) {
            FileCtx c = new FileCtx(x);
            Regs r = regs(x);
            try {
                IoResult res = body.apply(c);
                if (res instanceof IoResult.WouldBlock w && x.userWorkPending()) {
                    // A signal arrived while the call waited: it leaves the wait queue, returns -EINTR and the handler runs.
                    x.kernel().waitQueue(w.waitQueue()).removeWaiter(x.waitHandle());
                    throw new KernelError(dev.kctx.mechanisms.Errno.EINTR);
                }
                if (res instanceof IoResult.WouldBlock w) {
                    x.kernel().waitQueue(w.waitQueue()).addWaiter(x.waitHandle());
                    x.check(KernelCall.SCHEDULE, () -> name + " waits on " + w.waitQueue());
                    return new Outcome.Block(w.waitQueue(), 'S');
                }
                IoResult.Done d = (IoResult.Done) res;
                r.ret = d.ret();
                r.data = d.data();
                r.errno = null;
            } catch (KernelError e) {
                r.ret = e.errno().negative();
                r.errno = e.errno();
                r.data = new byte[0];
            }
            return c.costNs() > 0 ? new Outcome.Busy(c.costNs()) : Outcome.Next.INSTANCE;
        }

        public String describe() {
            return name;
        }

        public boolean traced() {
            return false;
        }
    }

    /** Entry into the kernel (sys_enter) with the call's number. */
    record Enter(String name, int nr) implements Op.SyscallEntry {
        public Outcome execute(Exec x) {
            x.enterKernel(name, nr);
            return Outcome.Next.INSTANCE;
        }
    }

    /**
     * sys_exit with the value the kernel side left, or {@code forced} when an error path ended the
     * call early ({@link Outcome.EndSyscall}); a preemption point.
     */
    record Exit(String name, int nr, Long forced) implements Op.SyscallExit {
        Exit(String name, int nr) {
            this(name, nr, null);
        }

        public Outcome execute(Exec x) {
            Regs r = regs(x);
            if (forced != null) {
                r.returned(forced);
            }
            return Ops.afterReturnToUser(x, x.exitKernel(name, nr, r.ret));
        }

        public Op returning(long ret) {
            return new Exit(name, nr, ret);
        }
    }

    /**
     * The return of a scenario's {@code syscall: {name, body}}: sys_exit with {@code ret} (0 unless
     * an error path ended the call, see {@link Outcome.EndSyscall}), leaving it in the task's
     * {@link Regs}. A failed call prints perror's line, {@code NAME: Interrupted system call}, on the
     * console once back in user mode (after any signal handler has run).
     */
    public static Op scenarioExit(String name) {
        return new ScenarioExit(name, 0);
    }

    record ScenarioExit(String name, long ret) implements Op.SyscallExit {
        public Outcome execute(Exec x) {
            Regs r = regs(x);
            r.returned(ret);
            Outcome o = Ops.afterReturnToUser(x, x.exitKernel(name, dev.kctx.actors.program.Syscalls.nr(name), ret));
            if (ret >= 0) {
                return o;
            }
            String text = r.errno == null ? "Unknown error " + -ret : r.errno.text();
            Op perror = act("perror", y -> y.console(name + ": " + text));
            if (o instanceof Outcome.Inline in) {
                List<Op> then = new java.util.ArrayList<>(in.ops());
                then.add(perror);
                return new Outcome.Inline(then);
            }
            return new Outcome.Inline(o == Outcome.Yield.INSTANCE ? List.of(perror, Resched.INSTANCE) : List.of(perror));
        }

        public Op returning(long value) {
            return new ScenarioExit(name, value);
        }
    }

    /** The scheduler's turn that the return to user mode asked for, taken after perror printed. */
    enum Resched implements Op {
        INSTANCE;

        public Outcome execute(Exec x) {
            return Outcome.Yield.INSTANCE;
        }

        public String describe() {
            return "resched";
        }

        public boolean userMode() {
            return true;
        }

        public boolean traced() {
            return false;
        }
    }

    /** A step of the user program itself (user mode, no time). */
    record UserStep(String name, Function<Exec, List<Op>> step) implements Op {
        public Outcome execute(Exec x) {
            List<Op> next = step.apply(x);
            return next.isEmpty() ? Outcome.Next.INSTANCE : new Outcome.Inline(next);
        }

        public String describe() {
            return name;
        }

        public boolean userMode() {
            return true;
        }

        public boolean traced() {
            return false;
        }
    }
}
