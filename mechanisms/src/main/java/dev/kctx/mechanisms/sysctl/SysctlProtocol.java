package dev.kctx.mechanisms.sysctl;

import dev.kctx.mechanisms.Errno;

/**
 * The sysctl protocol (fs/proc/proc_sysctl.c, kernel/sysctl.c, Linux 6.6) between a user process's
 * file system calls on a /proc/sys entry and the entry ({@code SysctlFile}, which handles every
 * request through the ctl_table entry's handler), in the calling task's process context.
 */
public sealed interface SysctlProtocol {

    /** What the VFS asks of a /proc/sys entry for a system call. */
    sealed interface Request extends SysctlProtocol {
    }

    /** The entry's answer: a success record or an {@link Error}. */
    sealed interface Reply extends SysctlProtocol {
    }

    /** User process, open(2), process context: proc_sys_permission against the entry's mode (root gets the owner bits). */
    record Open(boolean root, boolean read, boolean write) implements Request {
    }

    /** User process, read(2), process context: proc_sys_read, the handler formatting the value. */
    record Read(int count) implements Request {
    }

    /** User process, write(2), process context: proc_sys_write, the handler parsing {@code data} (at offset 0 only). */
    record Write(byte[] data) implements Request {
        public Write {
            data = data.clone();
        }
    }

    /** Answer to Open. */
    record Opened() implements Reply {
    }

    /** Answer to Read: the bytes copied to the user. */
    record Data(byte[] bytes) implements Reply {
        public Data {
            bytes = bytes.clone();
        }
    }

    /** Answer to Write: the bytes taken. */
    record Written(long count) implements Reply {
    }

    /** The failures: EACCES (mode), ENOENT (table unregistered); a handler's EINVAL comes as its own error. */
    record Error(Errno errno) implements Reply {
    }
}
