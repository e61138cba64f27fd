package dev.kctx.mechanisms.syscall;

import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.IoResult;

import java.util.List;

/** The call a user program makes to reach a system call by number: libc's syscall(2). */
public final class SyscallUser {
    private SyscallUser() {
    }

    /** syscall(2) with a raw number: a module's call, or ENOSYS for an empty slot. */
    public static List<Op> syscall(int nr, Object... args) {
        SyscallArgs a = new SyscallArgs(List.of(args));
        return Sys.callNr(nr, "syscall_" + nr, c -> IoResult.Done.of(SyscallTable.of(c.kernel()).dispatch(c, nr, a)));
    }
}
