package dev.kctx.mechanisms.vfs;

import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.Modules;

import java.util.List;

/**
 * The kernel side of the file system calls: path walk, permission checks, file descriptor
 * tables, and the call into the owning driver's file operations, in the caller's context.
 */
public final class FileSyscalls {
    private FileSyscalls() {
    }

    public static Vfs vfs(FileCtx c) {
        return c.kernel().extension(Vfs.class, Vfs::new);
    }

    public static FdTable fds(FileCtx c) {
        return c.exec().taskLocal(FdTable.class, FdTable::new);
    }

    private static Modules modules(FileCtx c) {
        return c.kernel().extension(Modules.class, () -> new Modules(List.of()));
    }

    /** open(2): returns the new descriptor. */
    public static int open(FileCtx c, String path, int flags) {
        Vfs vfs = vfs(c);
        Cred cred = c.cred();
        Vfs.Node n;
        try {
            n = vfs.lookup(path);
        } catch (KernelError e) {
            if (e.errno() != Errno.ENOENT || (flags & OpenFlags.O_CREAT) == 0) {
                throw e;
            }
            n = createRegular(vfs, cred, path);
        }
        boolean read = OpenFlags.readable(flags);
        boolean write = OpenFlags.writable(flags);
        if (n instanceof Vfs.Dir && write) {
            throw new KernelError(Errno.EISDIR);
        }
        Vfs.checkPermission(n, cred, read, write);
        FileOps fops;
        if (n instanceof Vfs.File file) {
            fops = file.fops();
        } else if (n instanceof Vfs.CharDevNode dev) {
            CharDevices.Driver d = c.kernel().extension(CharDevices.class, CharDevices::new).driver(dev.major());
            if (d == null) {
                throw new KernelError(Errno.ENXIO);
            }
            fops = d.fops();
        } else {
            fops = new FileOps() {
            };
        }
        String owner = fops.owner();
        if (owner != null && !modules(c).tryGet(owner)) {
            throw new KernelError(Errno.ENXIO);
        }
        OpenFile f = new OpenFile(n, flags, fops);
        try {
            fops.open(c, f);
            if ((flags & OpenFlags.O_TRUNC) != 0 && fops instanceof RamFile ram && write) {
                ram.truncate();
            }
            return fds(c).install(f);
        } catch (KernelError e) {
            if (owner != null) {
                modules(c).put(owner);
            }
            throw e;
        }
    }

    private static Vfs.Node createRegular(Vfs vfs, Cred cred, String path) {
        int slash = path.lastIndexOf('/');
        Vfs.Node parent = vfs.lookup(slash == 0 ? "/" : path.substring(0, slash));
        if (!(parent instanceof Vfs.Dir dir) || dir.owner() != null || !(path.startsWith("/tmp/") || path.startsWith("/etc/"))) {
            // Only the ordinary file systems (tmpfs) let users create files; /proc, /sys and /dev do not.
            throw new KernelError(parent instanceof Vfs.Dir ? Errno.EACCES : Errno.ENOTDIR);
        }
        Vfs.checkPermission(dir, cred, false, true);
        return vfs.createFile(path, 0644, null, new RamFile(new byte[0]));
    }

    public static IoResult read(FileCtx c, int fd, int count) {
        OpenFile f = fds(c).get(fd);
        if (!f.readable()) {
            throw new KernelError(Errno.EBADF);
        }
        if (f.node() instanceof Vfs.Dir) {
            throw new KernelError(Errno.EISDIR);
        }
        if (count < 0) {
            throw new KernelError(Errno.EINVAL);
        }
        return nonblock(f, f.fops().read(c, f, count));
    }

    public static IoResult write(FileCtx c, int fd, byte[] data) {
        OpenFile f = fds(c).get(fd);
        if (!f.writable()) {
            throw new KernelError(Errno.EBADF);
        }
        return nonblock(f, f.fops().write(c, f, data));
    }

    private static IoResult nonblock(OpenFile f, IoResult r) {
        if (r instanceof IoResult.WouldBlock && f.nonblocking()) {
            throw new KernelError(Errno.EAGAIN);
        }
        return r;
    }

    public static long lseek(FileCtx c, int fd, long offset, int whence) {
        OpenFile f = fds(c).get(fd);
        if (f.node() instanceof Vfs.CharDevNode && f.fops() instanceof RamFile) {
            throw new KernelError(Errno.ESPIPE);
        }
        return f.fops().llseek(c, f, offset, whence);
    }

    public static long ioctl(FileCtx c, int fd, int cmd, UserPtr arg) {
        OpenFile f = fds(c).get(fd);
        return f.fops().ioctl(c, f, cmd, arg);
    }

    public static void close(FileCtx c, int fd) {
        fput(c, fds(c).remove(fd));
    }

    /** get_file: one more reference to an open file (a mapping of it holds one). */
    public static void getFile(OpenFile f) {
        f.ref();
    }

    /** fput: drops a reference; the last one releases the file and the module it pins. */
    public static void fput(FileCtx c, OpenFile f) {
        if (f.unref() == 0) {
            f.fops().release(c, f);
            if (f.fops().owner() != null) {
                modules(c).put(f.fops().owner());
            }
        }
    }

    public static void mkdir(FileCtx c, String path, int mode) {
        Vfs vfs = vfs(c);
        if (vfs.exists(path)) {
            throw new KernelError(Errno.EEXIST);
        }
        int slash = path.lastIndexOf('/');
        Vfs.Node parent = vfs.lookup(slash <= 0 ? "/" : path.substring(0, slash));
        if (!(parent instanceof Vfs.Dir dir)) {
            throw new KernelError(Errno.ENOTDIR);
        }
        String name = path.substring(slash + 1);
        Vfs.checkPermission(dir, c.cred(), false, true);
        if (dir.ops() != null) {
            dir.ops().mkdir(c, dir, name);
        } else if (dir.owner() == null && !path.startsWith("/proc") && !path.startsWith("/sys")) {
            vfs.createDir(dir, name, mode, c.cred().uid(), null);
        } else {
            throw new KernelError(Errno.EPERM);
        }
    }

    public static void rmdir(FileCtx c, String path) {
        Vfs vfs = vfs(c);
        Vfs.Node n = vfs.lookup(path);
        if (!(n instanceof Vfs.Dir d)) {
            throw new KernelError(Errno.ENOTDIR);
        }
        Vfs.Dir parent = n.parent();
        if (parent == null) {
            throw new KernelError(Errno.EBUSY);
        }
        Vfs.checkPermission(parent, c.cred(), false, true);
        if (parent.ops() != null) {
            parent.ops().rmdir(c, parent, n.name());
        } else if (n.owner() == null && !path.startsWith("/proc") && !path.startsWith("/sys")) {
            if (!d.isEmpty()) {
                throw new KernelError(Errno.ENOTEMPTY);
            }
            vfs.detach(n);
        } else {
            throw new KernelError(Errno.EPERM);
        }
    }

    /** mknod(2) of a character device: needs CAP_SYS_ADMIN here (CAP_MKNOD in Linux, which root has). */
    public static void mknodChar(FileCtx c, String path, int mode, int major, int minor) {
        if (!c.cred().root()) {
            throw new KernelError(Errno.EPERM);
        }
        Vfs vfs = vfs(c);
        if (vfs.exists(path)) {
            throw new KernelError(Errno.EEXIST);
        }
        int slash = path.lastIndexOf('/');
        Vfs.Node parent = vfs.lookup(slash <= 0 ? "/" : path.substring(0, slash));
        if (!(parent instanceof Vfs.Dir dir)) {
            throw new KernelError(Errno.ENOTDIR);
        }
        vfs.createCharDev(dir, path.substring(slash + 1), mode, c.cred().uid(), major, minor);
    }

    /** getdents: the names in a directory, sorted. */
    public static List<String> readdir(FileCtx c, String path) {
        Vfs.Node n = vfs(c).lookup(path);
        if (!(n instanceof Vfs.Dir d)) {
            throw new KernelError(Errno.ENOTDIR);
        }
        Vfs.checkPermission(n, c.cred(), true, false);
        return d.names();
    }
}
