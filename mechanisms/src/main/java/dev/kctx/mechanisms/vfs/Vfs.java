package dev.kctx.mechanisms.vfs;

import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.Initcalls;
import dev.kctx.mechanisms.KernelError;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The machine's file tree. Kernel code creates and removes entries directly (proc_create,
 * debugfs_create_file, device_create...); user code reaches it through the system calls in
 * {@link FileSyscalls}, which check modes, owners and capabilities.
 */
public final class Vfs {

    /** File type bits of st_mode. */
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFCHR = 0020000;

    /** An entry of the tree. */
    public abstract static class Node {
        private final String name;
        private Dir parent;
        private int mode;
        private final int uid;
        private final String owner;

        Node(String name, int mode, int uid, String owner) {
            this.name = name;
            this.mode = mode;
            this.uid = uid;
            this.owner = owner;
        }

        public String name() {
            return name;
        }

        public Dir parent() {
            return parent;
        }

        /** Permission bits (0644 style) without the type. */
        public int mode() {
            return mode;
        }

        public void setMode(int m) {
            mode = m;
        }

        public int uid() {
            return uid;
        }

        /** The module (or mechanism) that created it; null for the kernel itself. */
        public String owner() {
            return owner;
        }

        public String path() {
            if (parent == null) {
                return "/";
            }
            String p = parent.path();
            return (p.equals("/") ? "" : p) + "/" + name;
        }

        public abstract int typeBits();
    }

    /** A directory; {@link DirOps} lets a file system (configfs) react to mkdir and rmdir inside it. */
    public static final class Dir extends Node {
        private final TreeMap<String, Node> children = new TreeMap<>();
        private DirOps ops;

        Dir(String name, int mode, int uid, String owner, DirOps ops) {
            super(name, mode, uid, owner);
            this.ops = ops;
        }

        public Node child(String n) {
            return children.get(n);
        }

        /** Entries in name order, as ls prints them. */
        public List<String> names() {
            return new ArrayList<>(children.keySet());
        }

        public DirOps ops() {
            return ops;
        }

        public void setOps(DirOps o) {
            ops = o;
        }

        public boolean isEmpty() {
            return children.isEmpty();
        }

        @Override
        public int typeBits() {
            return S_IFDIR;
        }
    }

    /** A file whose contents come from file operations. */
    public static final class File extends Node {
        private final FileOps fops;

        File(String name, int mode, int uid, String owner, FileOps fops) {
            super(name, mode, uid, owner);
            this.fops = fops;
        }

        public FileOps fops() {
            return fops;
        }

        @Override
        public int typeBits() {
            return S_IFREG;
        }
    }

    /** A character device node made by mknod: opening it looks the driver up by major number. */
    public static final class CharDevNode extends Node {
        private final int major;
        private final int minor;

        CharDevNode(String name, int mode, int uid, int major, int minor) {
            super(name, mode, uid, null);
            this.major = major;
            this.minor = minor;
        }

        public int major() {
            return major;
        }

        public int minor() {
            return minor;
        }

        @Override
        public int typeBits() {
            return S_IFCHR;
        }
    }

    /** mkdir/rmdir hooks of a directory (configfs groups). */
    public interface DirOps {
        /** A user asks for a new directory {@code name} inside {@code dir}; throw KernelError to refuse. */
        void mkdir(FileCtx c, Dir dir, String name);

        /** A user removes {@code name} from {@code dir}; throw KernelError to refuse. */
        void rmdir(FileCtx c, Dir dir, String name);
    }

    private final Dir root = new Dir("", 0755, 0, null, null);

    public Vfs() {
        for (String d : List.of("/proc", "/proc/sys", "/sys", "/sys/module", "/sys/kernel", "/sys/kernel/debug",
                "/sys/kernel/config", "/dev", "/etc", "/tmp")) {
            mkdirs(d, null);
        }
        ((Dir) lookup("/sys/kernel/debug")).setMode(0700);
        ((Dir) lookup("/tmp")).setMode(01777);
        for (VfsInitcall i : Initcalls.of(VfsInitcall.class)) {
            i.treeMade(this);
        }
    }

    public Dir root() {
        return root;
    }

    /** Splits and checks a path: absolute, no empty, "." or ".." components that could escape. */
    static List<String> components(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new KernelError(Errno.ENOENT, "paths must be absolute: " + path);
        }
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            if (p.length() > 255) {
                throw new KernelError(Errno.EINVAL, "name too long");
            }
            parts.add(p);
        }
        return parts;
    }

    /** The node at {@code path}; ENOENT or ENOTDIR as the kernel's path walk gives them. */
    public Node lookup(String path) {
        Node n = root;
        for (String part : components(path)) {
            if (!(n instanceof Dir d)) {
                throw new KernelError(Errno.ENOTDIR);
            }
            n = d.child(part);
            if (n == null) {
                throw new KernelError(Errno.ENOENT);
            }
        }
        return n;
    }

    /**
     * The node at {@code path} as a task with {@code cred} walks to it: every directory passed needs
     * search (x) permission, as may_lookup checks; EACCES otherwise (debugfs's 0700 mount point). A
     * trailing slash asks for a directory (LOOKUP_DIRECTORY): on anything else it is ENOTDIR.
     */
    public Node lookup(String path, Cred cred) {
        Node n = root;
        for (String part : components(path)) {
            if (!(n instanceof Dir d)) {
                throw new KernelError(Errno.ENOTDIR);
            }
            checkSearch(d, cred);
            n = d.child(part);
            if (n == null) {
                throw new KernelError(Errno.ENOENT);
            }
        }
        if (path.endsWith("/") && !(n instanceof Dir)) {
            throw new KernelError(Errno.ENOTDIR);
        }
        return n;
    }

    public boolean exists(String path) {
        try {
            lookup(path);
            return true;
        } catch (KernelError e) {
            return false;
        }
    }

    /** Kernel-side mkdir -p (mode 0755, root). */
    public Dir mkdirs(String path, String owner) {
        Dir d = root;
        for (String part : components(path)) {
            Node n = d.child(part);
            if (n == null) {
                Dir nd = new Dir(part, 0755, 0, owner, null);
                attach(d, nd);
                d = nd;
            } else if (n instanceof Dir nd) {
                d = nd;
            } else {
                throw new KernelError(Errno.ENOTDIR);
            }
        }
        return d;
    }

    /** Kernel-side file creation; the parent directories are created as needed. EEXIST if taken. */
    public File createFile(String path, int mode, String owner, FileOps fops) {
        return createFile(path, mode, 0, owner, fops);
    }

    /** The same, owned by {@code uid} (a file a user creates is the user's). */
    public File createFile(String path, int mode, int uid, String owner, FileOps fops) {
        List<String> parts = components(path);
        if (parts.isEmpty()) {
            throw new KernelError(Errno.EEXIST);
        }
        Dir parent = mkdirs("/" + String.join("/", parts.subList(0, parts.size() - 1)), owner);
        String name = parts.get(parts.size() - 1);
        if (parent.child(name) != null) {
            throw new KernelError(Errno.EEXIST);
        }
        File f = new File(name, mode, uid, owner, fops);
        attach(parent, f);
        return f;
    }

    /** A directory made from user space (mkdir(2) in a plain directory, or a configfs group). */
    public Dir createDir(Dir parent, String name, int mode, int uid, String owner) {
        if (parent.child(name) != null) {
            throw new KernelError(Errno.EEXIST);
        }
        Dir d = new Dir(name, mode, uid, owner, null);
        attach(parent, d);
        return d;
    }

    public CharDevNode createCharDev(Dir parent, String name, int mode, int uid, int major, int minor) {
        if (parent.child(name) != null) {
            throw new KernelError(Errno.EEXIST);
        }
        CharDevNode n = new CharDevNode(name, mode, uid, major, minor);
        attach(parent, n);
        return n;
    }

    /** Kernel-side removal of an entry and everything below it; absent paths are ignored. */
    public void removeTree(String path) {
        Node n;
        try {
            n = lookup(path);
        } catch (KernelError e) {
            return;
        }
        if (n.parent != null) {
            n.parent.children.remove(n.name());
            n.parent = null;
        }
    }

    void detach(Node n) {
        if (n.parent != null) {
            n.parent.children.remove(n.name());
            n.parent = null;
        }
    }

    private static void attach(Dir parent, Node n) {
        parent.children.put(n.name(), n);
        n.parent = parent;
    }

    /** Search permission on a directory (the x bit); CAP_DAC_OVERRIDE passes every directory. */
    public static void checkSearch(Node dir, Cred cred) {
        if (cred.capable(Cred.Cap.CAP_DAC_OVERRIDE)) {
            return;
        }
        int bits = cred.uid() == dir.uid() ? (dir.mode() >> 6) & 7 : dir.mode() & 7;
        if ((bits & 1) == 0) {
            throw new KernelError(Errno.EACCES);
        }
    }

    /** generic_permission: owner or other bits; CAP_DAC_OVERRIDE lets root read and write anything. */
    public static void checkPermission(Node n, Cred cred, boolean read, boolean write) {
        if (cred.capable(Cred.Cap.CAP_DAC_OVERRIDE)) {
            return;
        }
        int bits = cred.uid() == n.uid() ? (n.mode() >> 6) & 7 : n.mode() & 7;
        if ((read && (bits & 4) == 0) || (write && (bits & 2) == 0)) {
            throw new KernelError(Errno.EACCES);
        }
    }
}
