package dev.kctx.actors.program;

/**
 * One operation of a context's body. Executing it must not block, sleep, start threads or read
 * the wall clock: it changes the model through {@link Exec} and says what happens next.
 * Operations are immutable and may be shared between contexts and runs.
 */
public interface Op extends Describable {

    Outcome execute(Exec x);

    /** The operation as a kernel programmer writes it, e.g. {@code spin_lock_irqsave(L)}. */
    @Override
    String describe();

    /** True for operations a user process may run in user mode (compute, system calls). */
    default boolean userMode() {
        return false;
    }

    /** True for the operation that enters the kernel from user mode (sys_enter). */
    default boolean entersKernel() {
        return false;
    }

    /** True for the operation that returns to user mode (sys_exit). */
    default boolean leavesKernel() {
        return false;
    }

    /**
     * The same return to user mode with {@code ret} as the system call's value (an error path ended
     * the call early, {@link Outcome.EndSyscall}). Only operations that {@link #leavesKernel()} override it.
     */
    default Op returning(long ret) {
        throw new UnsupportedOperationException(describe() + " does not leave the kernel");
    }

    /** True when the trace should show a {@code kctx_op} line for this operation. */
    default boolean traced() {
        return true;
    }

    /** sys_enter of the system call {@link #name()}: the operation that takes a process into the kernel. */
    interface SyscallEntry extends Op {
        String name();

        default String describe() {
            return "syscall " + name();
        }

        default boolean entersKernel() {
            return true;
        }

        default boolean userMode() {
            return true;
        }

        default boolean traced() {
            return false;
        }
    }

    /** sys_exit of the system call {@link #name()}: the operation that takes a process back to user mode. */
    interface SyscallExit extends Op {
        String name();

        @Override
        Op returning(long ret);

        default String describe() {
            return "return from " + name();
        }

        default boolean leavesKernel() {
            return true;
        }

        default boolean traced() {
            return false;
        }
    }
}
