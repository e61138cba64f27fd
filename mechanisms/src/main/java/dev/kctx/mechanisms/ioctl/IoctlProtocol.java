package dev.kctx.mechanisms.ioctl;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.vfs.UserPtr;

/**
 * The ioctl protocol (fs/ioctl.c, include/uapi/asm-generic/ioctl.h, Linux 6.6) between a user
 * process's ioctl(2) and the driver's unlocked_ioctl ({@link CdevIoctl}'s handles every request), in
 * the calling task's process context. The command encodes direction, size, type and number
 * ({@link IoctlCmd}); the argument is a user pointer the driver reads with get_user/copy_from_user and
 * writes with put_user/copy_to_user.
 */
public sealed interface IoctlProtocol {

    /** What the VFS asks of a driver. */
    sealed interface Request extends IoctlProtocol {
    }

    /** The driver's answer: a success record or an {@link Error}. */
    sealed interface Reply extends IoctlProtocol {
    }

    /** User process, syscall ioctl(fd, cmd, arg), process context: vfs_ioctl calls the driver's unlocked_ioctl. */
    record Ioctl(int cmd, UserPtr arg) implements Request {
    }

    /** Answer to Ioctl: the value ioctl(2) returns. */
    record Returned(long value) implements Reply {
    }

    /** The failures: ENOTTY (not the driver's command), EINVAL (a bad argument value), EFAULT (a bad user pointer). */
    record Error(Errno errno) implements Reply {
    }
}
