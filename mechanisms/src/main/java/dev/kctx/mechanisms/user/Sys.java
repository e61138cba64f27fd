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

    /** The three operations of one system call. */
    public static List<Op> call(String name, Function<FileCtx, IoResult> body) {
        return List.of(new Ops.SysEnter(name), new Body(name, body), new Exit(name));
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
                if (res instanceof IoResult.WouldBlock && x.userWorkPending()) {
                    // A signal arrived while the call waited: it returns -EINTR and the handler runs.
                    throw new KernelError(dev.kctx.mechanisms.Errno.EINTR);
                }
                if (res instanceof IoResult.WouldBlock w) {
                    x.kernel().waitQueue(w.waitQueue()).addWaiter(x.waitHandle());
                    x.check(KernelCall.SCHEDULE, name + " waits on " + w.waitQueue());
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

    /** sys_exit with the value the kernel side left; a preemption point. */
    record Exit(String name) implements Op {
        public Outcome execute(Exec x) {
            return Ops.afterReturnToUser(x, x.exitKernel(name, Syscalls.nr(name), regs(x).ret));
        }

        public String describe() {
            return "return from " + name;
        }

        public boolean leavesKernel() {
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
