package dev.kctx.mechanisms.debugfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.vfs.UserPtr;

/**
 * The debugfs protocol (fs/debugfs/file.c, Linux 6.6) between a user process's file system calls on
 * a debugfs file and debugfs's full proxy ({@code Debugfs.Proxy}, which handles every request: it
 * takes debugfs_file_get, EIO once the file is removed, then calls the real file operations: a
 * simple attribute, a bool, a blob or the module's own), in the calling task's process context.
 */
public sealed interface DebugfsProtocol {

    /** What the VFS asks of a debugfs file for a system call. */
    sealed interface Request extends DebugfsProtocol {
    }

    /** The proxy's answer: a success record or an {@link Error}. */
    sealed interface Reply extends DebugfsProtocol {
    }

    /** User process, open(2), process context. */
    record Open() implements Request {
    }

    /** User process, read(2), process context: up to {@code count} bytes. */
    record Read(int count) implements Request {
    }

    /** User process, write(2), process context. */
    record Write(byte[] data) implements Request {
        public Write {
            data = data.clone();
        }
    }

    /** User process, lseek(2), process context. */
    record Seek(long offset, int whence) implements Request {
    }

    /** User process, ioctl(2), process context: the real unlocked_ioctl with {@code cmd} and {@code arg}. */
    record Ioctl(int cmd, UserPtr arg) implements Request {
    }

    /** User process, the last close(2) of the file, process context: release (not proxied: no file_get). */
    record Release() implements Request {
    }

    /** Answer to Open and Release. */
    record Done() implements Reply {
    }

    /** Answer to Read and Write: the return value and the bytes read (none for a write). */
    record Transferred(long ret, byte[] data) implements Reply {
        public Transferred {
            data = data.clone();
        }
    }

    /** Answer to Read or Write that must wait on {@code waitQueue} (a blocking read of the module's own file). */
    record Blocked(String waitQueue) implements Reply {
    }

    /** Answer to Seek (the new position) and Ioctl (its return value). */
    record Value(long value) implements Reply {
    }

    /** The failure of the proxy itself: EIO once the file was removed; the real operation's errors come as its own. */
    record Error(Errno errno) implements Reply {
    }
}
