package dev.kctx.mechanisms.configfs;

import dev.kctx.mechanisms.Errno;

/**
 * The configfs directory protocol (fs/configfs/dir.c, Linux 6.6) between a user process's mkdir(2)
 * and rmdir(2) in a group's directory under /sys/kernel/config and configfs, in the calling task's
 * process context: configfs_mkdir and configfs_rmdir ask the module to make or drop an item
 * (handled by {@code Configfs.GroupDirOps}). These are inode operations, not file operations: the
 * reads and writes of an item's attribute files are the VFS's
 * {@link dev.kctx.mechanisms.vfs.FileProtocol} (configfs_read_iter and configfs_write_iter call
 * show and store, handled by {@code Configfs.AttrFops}), so only what is configfs's own is here.
 */
public sealed interface ConfigfsProtocol {

    /** What the VFS asks of a configfs group for mkdir or rmdir. */
    sealed interface Request extends ConfigfsProtocol {
    }

    /** configfs's answer: a success record or an {@link Error}. */
    sealed interface Reply extends ConfigfsProtocol {
    }

    /** User process, mkdir(2) in a group, process context: configfs_mkdir, the group's make_item/make_group. */
    record MakeItem(String name) implements Request {
    }

    /** User process, rmdir(2) of an item, process context: configfs_rmdir, the group's drop_item. */
    record DropItem(String name) implements Request {
    }

    /** Answer to MakeItem and DropItem. */
    record Done() implements Reply {
    }

    /**
     * The failures: EPERM (no make_item, or a default group), EINVAL (the module is going), ENOTEMPTY
     * (a group with children); the module's own errors come as its own.
     */
    record Error(Errno errno) implements Reply {
    }
}
