package dev.kctx.mechanisms.user;

import dev.kctx.mechanisms.Errno;

import java.util.HashMap;
import java.util.Map;

/**
 * A process's view of its last system call (the return value, errno, the bytes read) and its
 * named variables (file descriptors, buffers), kept per task.
 */
public final class Regs {
    /** The kernel's return value: >= 0, or -errno. */
    public long ret;
    public Errno errno;
    public byte[] data = new byte[0];
    public final Map<String, Object> vars = new HashMap<>();

    /** A system call's value set by the exit path itself (an error path ended the call): no data, errno from -ret. */
    public void returned(long value) {
        ret = value;
        errno = null;
        if (value < 0) {
            try {
                errno = Errno.byNumber((int) -value);
            } catch (IllegalArgumentException e) {
                // not an errno kctx knows: perror prints "Unknown error N"
            }
        }
        data = new byte[0];
    }

    public boolean failed() {
        return ret < 0;
    }

    /** What the libc wrapper returns: the value, or -1 with {@link #errno} set. */
    public long result() {
        return ret < 0 ? -1 : ret;
    }

    /** strace's rendering of the result: {@code = 12} or {@code = -1 ENOTTY (Inappropriate ioctl for device)}. */
    public String shown() {
        return ret < 0 ? "= -1 " + errno.name() + " (" + errno.text() + ")" : "= " + ret;
    }

    /**
     * The descriptor in {@code var}, or -1 when there is none (a failed socket() or open() left
     * nothing there, as C leaves -1 in {@code fd}): the call made with it then gets EBADF, as the
     * kernel answers when {@code fdget} finds no open file there (fs/read_write.c, {@code ksys_write}:
     * {@code ret = -EBADF} unless {@code f.file}; fs/ioctl.c and fs/open.c's close likewise).
     */
    public int fd(String var) {
        return vars.get(var) instanceof Integer i ? i : -1;
    }
}
