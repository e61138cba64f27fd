package dev.kctx.mechanisms.procfs;

import dev.kctx.mechanisms.Errno;

/**
 * The procfs protocol (fs/proc/inode.c proc_reg_*, fs/seq_file.c, Linux 6.6) between a user
 * process's file system calls on a /proc entry and the entry's operations ({@link ProcFs}'s page
 * and seq_file styles, which handle every request), in the calling task's process context. Once
 * the entry is removed (use_pde fails), reads and writes answer EIO and seeks EINVAL.
 */
public sealed interface ProcfsProtocol {

    /** What the VFS asks of an entry for a system call. */
    sealed interface Request extends ProcfsProtocol {
    }

    /** The entry's answer: a success record or an {@link Error}. */
    sealed interface Reply extends ProcfsProtocol {
    }

    /** User process, open(2), process context: a seq_file entry makes its seq_file (single_open, seq_open). */
    record Open() implements Request {
    }

    /** User process, read(2), process context: up to {@code count} bytes at the file position (proc_read, seq_read_iter). */
    record Read(int count) implements Request {
    }

    /** User process, write(2), process context: proc_write of {@code data}; EIO for an entry without one. */
    record Write(byte[] data) implements Request {
        public Write {
            data = data.clone();
        }
    }

    /** User process, lseek(2), process context: default_llseek or seq_lseek. */
    record Seek(long offset, int whence) implements Request {
    }

    /** Answer to Open. */
    record Opened() implements Reply {
    }

    /** Answer to Read: the bytes copied to the user (none at the end). */
    record Data(byte[] bytes) implements Reply {
        public Data {
            bytes = bytes.clone();
        }
    }

    /** Answer to Write: what proc_write returned. */
    record Written(long count) implements Reply {
    }

    /** Answer to Seek: the new file position. */
    record Position(long pos) implements Reply {
    }

    /** The failures: ENOENT (open of a removed entry), EIO (read/write after removal, no proc_read/proc_write), EINVAL (seek). */
    record Error(Errno errno) implements Reply {
    }
}
