package dev.kctx.mechanisms.syscall;

import dev.kctx.mechanisms.vfs.FileCtx;

/**
 * The kernel side of a system call a module adds (its SYSCALL_DEFINE body): runs in the calling
 * task's process context, returns a value >= 0 or fails by throwing
 * {@link dev.kctx.mechanisms.KernelError} (the -errno the caller sees as -1 and errno).
 */
@FunctionalInterface
public interface SyscallHandler {
    long call(FileCtx c, SyscallArgs args);
}
