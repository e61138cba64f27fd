package dev.kctx.mechanisms.syscall;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.vfs.UserPtr;

import java.util.List;

/**
 * The up to six arguments of a system call, as the registers carry them: numbers, or user
 * pointers that the handler may only touch through copy_from_user / copy_to_user.
 */
public record SyscallArgs(List<Object> values) {
    /** x86_64 passes six arguments in registers. */
    public static final int MAX = 6;

    public SyscallArgs {
        values = List.copyOf(values);
        if (values.size() > MAX) {
            throw new IllegalArgumentException("a system call takes at most " + MAX + " arguments, not " + values.size());
        }
        for (Object v : values) {
            if (!(v instanceof Long || v instanceof Integer || v instanceof UserPtr)) {
                throw new IllegalArgumentException("system call arguments are numbers or UserPtr, not " + v);
            }
        }
    }

    public static SyscallArgs of(Object... values) {
        return new SyscallArgs(List.of(values));
    }

    public int count() {
        return values.size();
    }

    /** Argument {@code i} as a number; a missing register reads as 0; a pointer is EINVAL here. */
    public long number(int i) {
        if (i >= values.size()) {
            return 0;
        }
        Object v = values.get(i);
        if (v instanceof UserPtr) {
            throw new KernelError(Errno.EINVAL, "argument " + i + " is a pointer, not a number");
        }
        return ((Number) v).longValue();
    }

    /** Argument {@code i} as a user pointer; a number or a missing argument is a bad pointer (EFAULT when used). */
    public UserPtr pointer(int i) {
        if (i < values.size() && values.get(i) instanceof UserPtr p) {
            return p;
        }
        return UserPtr.bad();
    }
}
