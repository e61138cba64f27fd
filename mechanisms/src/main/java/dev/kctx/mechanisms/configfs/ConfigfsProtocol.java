package dev.kctx.mechanisms.configfs;

import dev.kctx.mechanisms.Errno;

/**
 * The configfs protocol (fs/configfs/dir.c and file.c, Linux 6.6) between a user process's file
 * system calls under /sys/kernel/config and configfs, in the calling task's process context: mkdir
 * and rmdir in a group's directory ask the module to make or drop an item (handled by
 * {@code Configfs.GroupDirOps}); reads and writes of an item's attribute files call its show and
 * store (handled by {@code Configfs.AttrFops}).
 */
public sealed interface ConfigfsProtocol {

    /** What the VFS asks of configfs for a system call. */
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

    /** User process, open(2) of an attribute, process context: configfs_open_file's mode and show/store checks. */
    record Open(boolean read, boolean write) implements Request {
    }

    /** User process, read(2), process context: up to {@code count} bytes of the buffer show() filled. */
    record Show(int count) implements Request {
    }

    /** User process, write(2), process context: store() gets at most SIMPLE_ATTR_SIZE - 1 bytes of {@code data}. */
    record Store(byte[] data) implements Request {
        public Store {
            data = data.clone();
        }
    }

    /** Answer to MakeItem, DropItem and Open. */
    record Done() implements Reply {
    }

    /** Answer to Show: the bytes copied to the user. */
    record Shown(byte[] bytes) implements Reply {
        public Shown {
            bytes = bytes.clone();
        }
    }

    /** Answer to Store: what store() returned. */
    record Stored(long count) implements Reply {
    }

    /**
     * The failures: EPERM (no make_item, or a default group), EINVAL (the module is going), ENOTEMPTY
     * (a group with children), ENOENT (the item was dropped), EACCES (mode), EIO (show overflowed the
     * page), EFAULT (empty write); the module's own errors come as its own.
     */
    record Error(Errno errno) implements Reply {
    }
}
