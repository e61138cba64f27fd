package dev.kctx.mechanisms.vfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;

/**
 * The file protocol every file-based mechanism speaks (struct file_operations, include/linux/fs.h,
 * Linux 6.6): the VFS turns a user process's open(2), read(2), write(2), lseek(2), ioctl(2) and
 * last close(2) into a {@link Request} to the file's operations, in the calling task's process
 * context, and gets a {@link Reply}. A character device ({@code chardev.CdevFile}: chrdev_open's
 * installed driver operations, fs/char_dev.c), a debugfs file ({@code Debugfs.Proxy}: the full
 * proxy's debugfs_file_get, fs/debugfs/file.c), a /proc entry ({@code ProcFs}: proc_reg_* and
 * seq_file, fs/proc/inode.c), a /proc/sys entry ({@code SysctlFile}: proc_sys_read/write,
 * fs/proc/proc_sysctl.c), a sysfs attribute ({@code SysfsAttribute}: show and store behind
 * kernfs_fop_read_iter/write_iter, fs/kernfs/file.c), a configfs attribute
 * ({@code Configfs.AttrFops}, fs/configfs/file.c) and an ioctl driver's unlocked_ioctl
 * ({@code CdevIoctl}, fs/ioctl.c) all answer these same records: what differs is only how each
 * handles them, which is the mechanism's own.
 *
 * <p>The protocol is sealed: its records are the file_operations calls and their answers, and a
 * mechanism whose requests are not file operations has its own small protocol next to this one
 * (configfs's mkdir/rmdir of items are inode operations: {@code ConfigfsProtocol}).
 * {@link Served} is the one shape that turns a {@link FileOps} call into a request and the reply
 * back into the call's result; {@link #forward} hands a request to a real {@link FileOps} (what a
 * proxy or chrdev_open's replaced f_op does).
 */
public sealed interface FileProtocol {

    /** What the VFS asks of a file's operations for a system call. */
    sealed interface Request extends FileProtocol {
    }

    /** The operations' answer: a success record or an {@link Error}. */
    sealed interface Reply extends FileProtocol {
    }

    /**
     * User process, open(2), process context: the file's open (the mode and credentials it checks are
     * the open file's and the caller's, {@link OpenFile#readable()}, {@link FileCtx#cred()}).
     */
    record Open() implements Request {
    }

    /** User process, read(2), process context: up to {@code count} bytes at the file position (copy_to_user in read). */
    record Read(int count) implements Request {
    }

    /** User process, write(2), process context: {@code data} for the file (copy_from_user in write). */
    record Write(byte[] data) implements Request {
        public Write {
            data = data.clone();
        }
    }

    /** User process, lseek(2), process context: llseek. */
    record Seek(long offset, int whence) implements Request {
    }

    /** User process, ioctl(2), process context: vfs_ioctl calls unlocked_ioctl with {@code cmd} and {@code arg}. */
    record Ioctl(int cmd, UserPtr arg) implements Request {
    }

    /** User process, the last close(2) of the file, process context: release. */
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

        /** A read's answer: the bytes copied to the user, their count the return value. */
        public static Transferred read(byte[] data) {
            return new Transferred(data.length, data);
        }

        /** A write's answer: the bytes taken. */
        public static Transferred written(long count) {
            return new Transferred(count, new byte[0]);
        }
    }

    /** Answer to a blocking Read or Write with nothing to do yet: sleep on {@code waitQueue} and ask again. */
    record Blocked(String waitQueue) implements Reply {
    }

    /** Answer to Seek (the new position) and Ioctl (the value ioctl(2) returns). */
    record Value(long value) implements Reply {
    }

    /** A failure: the errno the system call returns (each handler documents its own). */
    record Error(Errno errno) implements Reply {
    }

    /** The operations of a file that has none of its own: the kernel's behaviour for each missing one ({@link FileOps}'s defaults). */
    FileOps MISSING = new FileOps() {
    };

    /**
     * File operations that serve {@link FileProtocol}: each call is a request to {@link #handle}, and
     * the reply is the call's result ({@link Error} thrown as {@link KernelError}). A handler answers
     * the requests for operations it lacks with {@link #missing}.
     */
    interface Served extends FileOps {

        /** The file's side of the protocol; a callback's own error (KernelError) may go through. */
        Reply handle(FileCtx c, OpenFile f, Request r);

        @Override
        default void open(FileCtx c, OpenFile f) {
            answer(handle(c, f, new Open()));
        }

        @Override
        default IoResult read(FileCtx c, OpenFile f, int count) {
            return io(handle(c, f, new Read(count)));
        }

        @Override
        default IoResult write(FileCtx c, OpenFile f, byte[] data) {
            return io(handle(c, f, new Write(data)));
        }

        @Override
        default long llseek(FileCtx c, OpenFile f, long offset, int whence) {
            return ((Value) answer(handle(c, f, new Seek(offset, whence)))).value();
        }

        @Override
        default long ioctl(FileCtx c, OpenFile f, int cmd, UserPtr arg) {
            return ((Value) answer(handle(c, f, new Ioctl(cmd, arg)))).value();
        }

        @Override
        default void release(FileCtx c, OpenFile f) {
            answer(handle(c, f, new Release()));
        }
    }

    /**
     * An attribute file (a sysfs attribute's kernfs operations, a configfs item's attribute): Open
     * checks the mode, Read is the attribute's show, Write its store, and there is no llseek, ioctl
     * or release of its own ({@link #missing}).
     */
    interface Attribute extends Served {

        /** Open's answer for {@code f}: {@link Done}, or the mode's {@link Error}. */
        Reply opened(OpenFile f);

        /** Read's answer: up to {@code count} bytes of what show() filled, at the file position. */
        Reply show(FileCtx c, OpenFile f, int count);

        /** Write's answer: what store() took of {@code data}. */
        Reply store(FileCtx c, OpenFile f, byte[] data);

        @Override
        default Reply handle(FileCtx c, OpenFile f, Request r) {
            if (r instanceof Open) {
                return opened(f);
            } else if (r instanceof Read rd) {
                return show(c, f, rd.count());
            } else if (r instanceof Write w) {
                return store(c, f, w.data());
            }
            return missing(c, f, r);
        }
    }

    /** {@code r} handed to the operations {@code ops}; their errors (KernelError) go through. */
    static Reply forward(FileOps ops, FileCtx c, OpenFile f, Request r) {
        if (r instanceof Open) {
            ops.open(c, f);
            return new Done();
        } else if (r instanceof Read rd) {
            return reply(ops.read(c, f, rd.count()));
        } else if (r instanceof Write w) {
            return reply(ops.write(c, f, w.data()));
        } else if (r instanceof Seek s) {
            return new Value(ops.llseek(c, f, s.offset(), s.whence()));
        } else if (r instanceof Ioctl io) {
            return new Value(ops.ioctl(c, f, io.cmd(), io.arg()));
        }
        ops.release(c, f);
        return new Done();
    }

    /** The answer of a file without the operation {@code r} asks for ({@link #MISSING}). */
    static Reply missing(FileCtx c, OpenFile f, Request r) {
        return forward(MISSING, c, f, r);
    }

    /** A read's or write's result as a reply. */
    static Reply reply(IoResult r) {
        if (r instanceof IoResult.WouldBlock w) {
            return new Blocked(w.waitQueue());
        }
        IoResult.Done d = (IoResult.Done) r;
        return new Transferred(d.ret(), d.data());
    }

    /** {@code r}, or its {@link Error} thrown as {@link KernelError}. */
    static Reply answer(Reply r) {
        if (r instanceof Error e) {
            throw new KernelError(e.errno());
        }
        return r;
    }

    /** A reply to Read or Write as the operation's result. */
    static IoResult io(Reply r) {
        if (answer(r) instanceof Blocked b) {
            return new IoResult.WouldBlock(b.waitQueue());
        }
        Transferred t = (Transferred) r;
        return new IoResult.Done(t.ret(), t.data());
    }
}
