package dev.kctx.mechanisms.syscall;

import dev.kctx.mechanisms.Errno;

/**
 * The system-call protocol (arch/x86/entry/common.c do_syscall_64, kernel/sys_ni.c, Linux 6.6)
 * between a user process calling syscall(2) with a raw number and the system call table
 * ({@link SyscallTable}, which handles every request), in the calling task's process context.
 */
public sealed interface SyscallProtocol {

    /** What a user process asks of the table. */
    sealed interface Request extends SyscallProtocol {
    }

    /** The table's answer: a success record or an {@link Error}. */
    sealed interface Reply extends SyscallProtocol {
    }

    /** User process, syscall(nr, args...), process context: the entry at {@code nr} runs. */
    record Call(int nr, SyscallArgs args) implements Request {
    }

    /** Answer to Call: the value the system call returns (>= 0). */
    record Returned(long value) implements Reply {
    }

    /** The failures: ENOSYS (sys_ni_syscall for an empty slot), or the handler's own -errno. */
    record Error(Errno errno) implements Reply {
    }
}
