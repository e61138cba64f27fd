package dev.kctx.mechanisms.kernfs;

import dev.kctx.mechanisms.Errno;

/**
 * The sysfs protocol (fs/sysfs/file.c, fs/kernfs/file.c, Linux 6.6) between a user process's file
 * system calls on an attribute file and the attribute ({@link SysfsAttribute}, which handles every
 * request), in the calling task's process context. show() and store() are the module's callbacks.
 */
public sealed interface SysfsProtocol {

    /** What the VFS asks of an attribute for a system call. */
    sealed interface Request extends SysfsProtocol {
    }

    /** The attribute's answer: a success record or an {@link Error}. */
    sealed interface Reply extends SysfsProtocol {
    }

    /** User process, open(2), process context: kernfs_fop_open's check of the attribute's mode. */
    record Open(boolean read, boolean write) implements Request {
    }

    /** User process, read(2), process context: up to {@code count} bytes of the page show() filled at offset 0. */
    record Show(int count) implements Request {
    }

    /** User process, write(2), process context: store() gets at most PAGE_SIZE of {@code data}. */
    record Store(byte[] data) implements Request {
        public Store {
            data = data.clone();
        }
    }

    /** Answer to Open. */
    record Opened() implements Reply {
    }

    /** Answer to Show: the bytes copied to the user. */
    record Shown(byte[] bytes) implements Reply {
        public Shown {
            bytes = bytes.clone();
        }
    }

    /** Answer to Store: what store() returned (the bytes consumed). */
    record Stored(long count) implements Reply {
    }

    /** The failures: EACCES (open against the mode), EIO (no show or no store), ENODEV (attribute removed). */
    record Error(Errno errno) implements Reply {
    }
}
