package dev.kctx.mechanisms.chardev;

import dev.kctx.mechanisms.Errno;

/**
 * The character-device protocol (fs/char_dev.c, Linux 6.6) between a user process's file system
 * calls on a device node and the driver registered for its number, in the calling task's process
 * context: chrdev_open finds the cdev (ENXIO when none, or when its module is gone) and installs the
 * driver's file operations, which then answer each request ({@link CdevFile} hands them over). ioctl
 * and mmap on the same file are their own protocols ({@code IoctlProtocol}, {@code MmapProtocol}).
 */
public sealed interface ChrdevProtocol {

    /** What the VFS asks of a driver for a system call on its device. */
    sealed interface Request extends ChrdevProtocol {
    }

    /** The driver's answer: a success record or an {@link Error}. */
    sealed interface Reply extends ChrdevProtocol {
    }

    /** User process, open(2) of the node, process context: the driver's open, after chrdev_open pinned its module. */
    record Open() implements Request {
    }

    /** User process, read(2), process context: up to {@code count} bytes (copy_to_user in the driver's read). */
    record Read(int count) implements Request {
    }

    /** User process, write(2), process context: {@code data} for the driver (copy_from_user in its write). */
    record Write(byte[] data) implements Request {
        public Write {
            data = data.clone();
        }
    }

    /** User process, lseek(2), process context: the driver's llseek. */
    record Seek(long offset, int whence) implements Request {
    }

    /** User process, the last close(2), process context: the driver's release, before its module is put. */
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

    /** Answer to a blocking Read or Write with nothing to do yet: sleep on {@code waitQueue} and ask again. */
    record Blocked(String waitQueue) implements Reply {
    }

    /** Answer to Seek: the new position. */
    record Position(long pos) implements Reply {
    }

    /** A driver's failure (EINVAL for an operation it lacks, ESPIPE, EFAULT, ...); chrdev_open's ENXIO comes before it. */
    record Error(Errno errno) implements Reply {
    }
}
