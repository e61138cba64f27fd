package dev.kctx.mechanisms.vfs;

import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.Initcalls;
import dev.kctx.mechanisms.IoctlCmd;
import dev.kctx.mechanisms.KernelError;

import java.util.List;

/**
 * The kernel side of the file system calls: path walk, permission checks, file descriptor
 * tables, and the call into the owning driver's file operations, in the caller's context.
 */
public final class FileSyscalls {
    private FileSyscalls() {
    }

    /** The machine's tree; the first look at it also boots /proc/sys (kernel tables, /etc/sysctl.conf). */
    public static Vfs vfs(FileCtx c) {
        Vfs v = c.kernel().extension(Vfs.class, Vfs::new);
        for (VfsInitcall i : Initcalls.of(VfsInitcall.class)) {
            i.treeUsed(c.kernel());
        }
        return v;
    }

    public static FdTable fds(FileCtx c) {
        return c.exec().taskLocal(FdTable.class, () -> {
            // exit_files: a process whose program ends closes what it still has open.
            for (VfsInitcall i : Initcalls.of(VfsInitcall.class)) {
                i.filesMade(c.kernel());
            }
            return new FdTable();
        });
    }

    /** No module loader registered: no owner can be pinned. */
    private static final VfsInitcall.Owners NO_OWNERS = new VfsInitcall.Owners() {
        public boolean tryGet(String owner) {
            return false;
        }

        public void put(String owner) {
        }
    };

    private static VfsInitcall.Owners modules(FileCtx c) {
        for (VfsInitcall i : Initcalls.of(VfsInitcall.class)) {
            VfsInitcall.Owners o = i.owners(c.kernel());
            if (o != null) {
                return o;
            }
        }
        return NO_OWNERS;
    }

    /** open(2): returns the new descriptor. */
    public static int open(FileCtx c, String path, int flags) {
        Vfs vfs = vfs(c);
        Cred cred = c.cred();
        Vfs.Node n;
        try {
            n = vfs.lookup(path, cred);
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
        String cdevOwner = null;
        if (n instanceof Vfs.File file) {
            fops = file.fops();
        } else if (n instanceof Vfs.CharDevNode dev) {
            // chrdev_open: kobj_lookup finds the cdev and pins its owner (cdev_get), then fops_get pins fops.owner.
            CharDevices.Cdev d = c.kernel().extension(CharDevices.class, CharDevices::new).lookup(dev.major(), dev.minor());
            if (d == null) {
                throw new KernelError(Errno.ENXIO);
            }
            if (d.owner() != null && !modules(c).tryGet(d.owner())) {
                throw new KernelError(Errno.ENXIO);
            }
            cdevOwner = d.owner();
            fops = d.fops();
        } else {
            fops = new FileOps() {
            };
        }
        String owner = fops.owner();
        if (owner != null && !modules(c).tryGet(owner)) {
            putOwner(c, cdevOwner);
            throw new KernelError(Errno.ENXIO);
        }
        OpenFile f = new OpenFile(n, flags, fops);
        f.cdevOwner = cdevOwner;
        try {
            fops.open(c, f);
            if ((flags & OpenFlags.O_TRUNC) != 0 && fops instanceof RamFile ram && write) {
                ram.truncate();
            }
            return fds(c).install(f);
        } catch (KernelError e) {
            putOwner(c, owner);
            putOwner(c, cdevOwner);
            throw e;
        }
    }

    private static void putOwner(FileCtx c, String module) {
        if (module != null) {
            modules(c).put(module);
        }
    }

    /**
     * anon_inode_getfd: a descriptor for an object with no path (a socket), driven by {@code fops};
     * close(2) ends in its release.
     */
    public static int installAnon(FileCtx c, FileOps fops, int flags) {
        return fds(c).install(new OpenFile(null, flags, fops));
    }

    private static Vfs.Node createRegular(Vfs vfs, Cred cred, String path) {
        int slash = path.lastIndexOf('/');
        Vfs.Node parent = vfs.lookup(slash == 0 ? "/" : path.substring(0, slash));
        if (!(parent instanceof Vfs.Dir dir) || dir.owner() != null || !(path.startsWith("/tmp/") || path.startsWith("/etc/"))) {
            // Only the ordinary file systems (tmpfs) let users create files; /proc, /sys and /dev do not.
            throw new KernelError(parent instanceof Vfs.Dir ? Errno.EACCES : Errno.ENOTDIR);
        }
        Vfs.checkPermission(dir, cred, false, true);
        // open(O_CREAT): owned by the caller's fsuid, mode 0666 & ~umask (022)
        return vfs.createFile(path, 0644, cred.uid(), null, new RamFile(new byte[0]));
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
        return tapped(c, f, "read", nonblock(f, f.fops().read(c, f, count)), null);
    }

    public static IoResult write(FileCtx c, int fd, byte[] data) {
        OpenFile f = fds(c).get(fd);
        if (!f.writable()) {
            throw new KernelError(Errno.EBADF);
        }
        return tapped(c, f, "write", nonblock(f, f.fops().write(c, f, data)), data);
    }

    /** Shows a completed read or write of a file with a path (sysfs show/store, procfs, ...) to the machine's tap. */
    private static IoResult tapped(FileCtx c, OpenFile f, String event, IoResult r, byte[] written) {
        if (r instanceof IoResult.Done d && d.ret() >= 0 && f.node() != null) {
            dev.kctx.actors.program.Tap.emit(c.exec(), "file", event, f.node().path(), c.exec().pid(), () -> {
                byte[] bytes = written != null ? written : d.data();
                int n = bytes == null ? 0 : (int) Math.min(bytes.length, d.ret());
                return bytes == null ? "" : new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8);
            });
        }
        return r;
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

    /** ioctl(2): the trace shows the command's fields (kctx_ioctl), then the driver's unlocked_ioctl runs. */
    public static long ioctl(FileCtx c, int fd, int cmd, UserPtr arg) {
        OpenFile f = fds(c).get(fd);
        c.exec().trace("kctx_ioctl", IoctlCmd.describe(cmd));
        return f.fops().ioctl(c, f, cmd, arg);
    }

    /** close(2): the last reference releases the file (fops.release, then fops_put and cdev_put). */
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
            putOwner(c, f.fops().owner());
            putOwner(c, f.cdevOwner);
        }
    }

    /** dup2(2): {@code newfd} refers to the same open file as {@code oldfd}; an open {@code newfd} is closed first. */
    public static int dup2(FileCtx c, int oldfd, int newfd) {
        OpenFile f = fds(c).get(oldfd);
        if (oldfd == newfd) {
            return newfd;
        }
        if (newfd < 0 || newfd >= FdTable.MAX_FDS) {
            throw new KernelError(Errno.EBADF);
        }
        if (fds(c).isOpen(newfd)) {
            close(c, newfd);
        }
        fds(c).installAt(newfd, f);
        f.ref();
        return newfd;
    }

    public static void mkdir(FileCtx c, String path, int mode) {
        Vfs vfs = vfs(c);
        int slash = path.lastIndexOf('/');
        Vfs.Node parent = vfs.lookup(slash <= 0 ? "/" : path.substring(0, slash), c.cred());
        if (vfs.exists(path)) {
            throw new KernelError(Errno.EEXIST);
        }
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
        Vfs.Node n = vfs.lookup(path, c.cred());
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
        Vfs.Node n = vfs(c).lookup(path, c.cred());
        if (!(n instanceof Vfs.Dir d)) {
            throw new KernelError(Errno.ENOTDIR);
        }
        Vfs.checkPermission(n, c.cred(), true, false);
        return d.names();
    }
}
