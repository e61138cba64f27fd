package dev.kctx.mechanisms.vfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;

/**
 * A driver's file operations (struct file_operations). Each runs in the calling task's process
 * context through {@link FileCtx}, where copies to and from user memory pass the gate. A method
 * fails by throwing {@link KernelError}; a read or write that must wait answers
 * {@link IoResult.WouldBlock}. The defaults are the kernel's behaviour for a missing operation.
 */
public interface FileOps {

    /** The module that owns these operations (fops.owner): it is pinned while a file is open. Null for none. */
    default String owner() {
        return null;
    }

    default void open(FileCtx c, OpenFile f) {
    }

    default IoResult read(FileCtx c, OpenFile f, int count) {
        throw new KernelError(Errno.EINVAL);
    }

    default IoResult write(FileCtx c, OpenFile f, byte[] data) {
        throw new KernelError(Errno.EINVAL);
    }

    /** llseek: default_llseek semantics for whence SEEK_SET (0), SEEK_CUR (1); SEEK_END (2) needs a size. */
    default long llseek(FileCtx c, OpenFile f, long offset, int whence) {
        long base = switch (whence) {
            case 0 -> 0;
            case 1 -> f.pos();
            default -> throw new KernelError(Errno.EINVAL);
        };
        long np = base + offset;
        if (np < 0) {
            throw new KernelError(Errno.EINVAL);
        }
        f.setPos(np);
        return np;
    }

    /** unlocked_ioctl: an unknown command is ENOTTY. */
    default long ioctl(FileCtx c, OpenFile f, int cmd, UserPtr arg) {
        throw new KernelError(Errno.ENOTTY);
    }

    default void release(FileCtx c, OpenFile f) {
    }
}
