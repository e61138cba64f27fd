package dev.kctx.mechanisms.debugfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.FileProtocol;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.Libfs;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.Vfs;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * debugfs (fs/debugfs): files for debugging, under /sys/kernel/debug, which is mounted 0700 so that
 * only root may even walk into it. Helpers make files backed by a module variable: u8, u32 and x32
 * (simple_attr: the value printed on the first read, a write parsed with kstrtoull and stored
 * truncated to the variable's width), bool (Y/N), a blob (read-only bytes), or any file
 * operations. Every file goes through debugfs's proxy: once the file is removed (at rmmod at the
 * latest), files still open on it fail with EIO; custom operations whose owner is the module pin
 * it while open, the helpers' own operations (built into the kernel) do not.
 */
public final class Debugfs {
    public static final String ROOT = "/sys/kernel/debug";

    private Debugfs() {
    }

    /** A module's u8 variable. */
    public static final class U8 {
        private int value;

        public U8(int initial) {
            set(initial);
        }

        public int get() {
            return value;
        }

        /** Stores the low 8 bits, as a C assignment to a u8 does. */
        public void set(long v) {
            value = (int) (v & 0xff);
        }
    }

    /** A module's u32 variable. */
    public static final class U32 {
        private long value;

        public U32(long initial) {
            set(initial);
        }

        public long get() {
            return value;
        }

        /** Stores the low 32 bits. */
        public void set(long v) {
            value = v & 0xffffffffL;
        }
    }

    /** A module's bool variable. */
    public static final class Bool {
        private boolean value;

        public Bool(boolean initial) {
            value = initial;
        }

        public boolean get() {
            return value;
        }

        public void set(boolean v) {
            value = v;
        }
    }

    /** struct debugfs_blob_wrapper: bytes the module exposes read-only. */
    public static final class Blob {
        private byte[] data;

        public Blob(byte[] data) {
            this.data = data.clone();
        }

        public static Blob of(String text) {
            return new Blob(text.getBytes(StandardCharsets.UTF_8));
        }

        public byte[] data() {
            return data.clone();
        }

        public void set(byte[] d) {
            data = d.clone();
        }
    }

    /** A debugfs dentry: removal makes it dead for the files still open on it. */
    static final class Dentry {
        private final String path;
        private boolean dead;

        Dentry(String path) {
            this.path = path;
        }

        /** True once the file was removed: debugfs_file_get fails (EIO). */
        boolean dead() {
            return dead;
        }
    }

    /** The live debugfs files (a KernelObjects extension). */
    static final class State {
        private final List<Dentry> dentries = new ArrayList<>();

        void kill(String path) {
            for (Dentry d : dentries) {
                if (d.path.equals(path) || d.path.startsWith(path + "/")) {
                    d.dead = true;
                }
            }
            dentries.removeIf(d -> d.dead);
        }
    }

    private static String under(Vfs.Dir parent, String name) {
        return (parent == null ? ROOT : parent.path()) + "/" + name;
    }

    /**
     * debugfs_create_dir: a directory (0755) under {@code parent} (null: the debugfs root). Null when
     * the name is taken (the kernel logs it and returns an error pointer modules need not check).
     */
    public static Vfs.Dir createDir(ModuleCtx m, String name, Vfs.Dir parent) {
        String path = under(parent, name);
        if (taken(m, path, name, parent)) {
            return null;
        }
        Vfs.Dir d = m.createDir(path);
        State s = m.kernel(State.class, State::new);
        m.onUnload(() -> s.kill(path));
        return d;
    }

    /** debugfs_create_file: a file with the module's own operations, through the proxy. */
    public static Vfs.File createFile(ModuleCtx m, String name, int mode, Vfs.Dir parent, FileOps fops) {
        String path = under(parent, name);
        if (taken(m, path, name, parent)) {
            return null;
        }
        Dentry d = new Dentry(path);
        State s = m.kernel(State.class, State::new);
        s.dentries.add(d);
        Vfs.File f = m.createFile(path, mode, new Proxy(d, fops));
        m.onUnload(() -> s.kill(path));
        return f;
    }

    /** debugfs_create_u8: "%llu\n". */
    public static Vfs.File createU8(ModuleCtx m, String name, int mode, Vfs.Dir parent, U8 v) {
        return createFile(m, name, mode, parent, new SimpleAttr(mode, v::get, v::set, "%d\n"));
    }

    /** debugfs_create_u32: "%llu\n". */
    public static Vfs.File createU32(ModuleCtx m, String name, int mode, Vfs.Dir parent, U32 v) {
        return createFile(m, name, mode, parent, new SimpleAttr(mode, v::get, v::set, "%d\n"));
    }

    /** debugfs_create_x32: "0x%08llx\n". */
    public static Vfs.File createX32(ModuleCtx m, String name, int mode, Vfs.Dir parent, U32 v) {
        return createFile(m, name, mode, parent, new SimpleAttr(mode, v::get, v::set, "0x%08x\n"));
    }

    /** debugfs_create_bool: "Y\n" or "N\n"; a write sets it with kstrtobool. */
    public static Vfs.File createBool(ModuleCtx m, String name, int mode, Vfs.Dir parent, Bool v) {
        return createFile(m, name, mode, parent, new BoolFops(mode, v));
    }

    /** debugfs_create_blob: the blob's bytes, read-only. */
    public static Vfs.File createBlob(ModuleCtx m, String name, int mode, Vfs.Dir parent, Blob b) {
        return createFile(m, name, mode, parent, new BlobFops(b));
    }

    /** debugfs_remove / debugfs_remove_recursive: the file or directory and all below it go. */
    public static void remove(ModuleCtx m, Vfs.Node node) {
        if (node == null || node.parent() == null) {
            return;
        }
        String path = node.path();
        m.kernel(State.class, State::new).kill(path);
        m.vfs().removeTree(path);
    }

    private static boolean taken(ModuleCtx m, String path, String name, Vfs.Dir parent) {
        if (m.vfs().exists(path)) {
            m.printk("debugfs: '" + name + "' already exists in '" + (parent == null ? "debug" : parent.name()) + "'");
            return true;
        }
        return false;
    }

    /**
     * debugfs's full proxy (fs/debugfs/file.c full_proxy_*): every call is a {@link FileProtocol}
     * request handled by {@link #handle}, which first checks that the file still exists.
     */
    record Proxy(Dentry dentry, FileOps real) implements FileProtocol.Served {
        @Override
        public String owner() {
            return real.owner();
        }

        /**
         * The proxy's side of {@link FileProtocol}: debugfs_file_get (EIO once the file was removed),
         * then the real operation, whose own errors go through; release is not proxied (no file_get).
         */
        @Override
        public FileProtocol.Reply handle(FileCtx c, OpenFile f, FileProtocol.Request r) {
            if (!(r instanceof FileProtocol.Release) && dentry.dead()) {
                return new FileProtocol.Error(Errno.EIO);
            }
            return FileProtocol.forward(real, c, f, r);
        }
    }

    /** What simple_read_from_buffer does: the part of {@code buf} at the file position. */
    static IoResult readFromBuffer(FileCtx c, OpenFile f, int count, byte[] buf) {
        return IoResult.Done.read(Libfs.simpleReadFromBuffer(c, f, count, buf));
    }

    /**
     * DEFINE_DEBUGFS_ATTRIBUTE with simple_attr_read/write. A mode without write bits gives the
     * read-only operations (a write, allowed to root by the mode check, then fails with EACCES);
     * without read bits the write-only ones. Not seekable (no_llseek: ESPIPE).
     */
    static final class SimpleAttr implements FileOps {
        /** sizeof(simple_attr.set_buf) - 1: longer writes are cut before parsing. */
        static final int SET_BUF = 23;

        private final java.util.function.LongSupplier get;
        private final java.util.function.LongConsumer set;
        private final String fmt;

        SimpleAttr(int mode, java.util.function.LongSupplier get, java.util.function.LongConsumer set, String fmt) {
            this.get = (mode & 0444) == 0 ? null : get;
            this.set = (mode & 0222) == 0 ? null : set;
            this.fmt = fmt;
        }

        @Override
        public void open(FileCtx c, OpenFile f) {
            f.setPrivateData(new byte[0]);
        }

        @Override
        public IoResult read(FileCtx c, OpenFile f, int count) {
            if (get == null) {
                throw new KernelError(Errno.EACCES);
            }
            byte[] buf = (byte[]) f.privateData();
            if (f.pos() == 0 || buf.length == 0) {
                buf = String.format(Locale.ROOT, fmt, get.getAsLong()).getBytes(StandardCharsets.US_ASCII);
                f.setPrivateData(buf);
            }
            return readFromBuffer(c, f, count, buf);
        }

        @Override
        public IoResult write(FileCtx c, OpenFile f, byte[] data) {
            if (set == null) {
                throw new KernelError(Errno.EACCES);
            }
            byte[] in = c.copyFromUser(Arrays.copyOf(data, Math.min(data.length, SET_BUF)));
            set.accept(kstrtoull(new String(in, StandardCharsets.US_ASCII)));
            // "on success, claim we got the whole input"
            return IoResult.Done.of(data.length);
        }

        @Override
        public long llseek(FileCtx c, OpenFile f, long offset, int whence) {
            throw new KernelError(Errno.ESPIPE);
        }
    }

    /** kstrtoull(s, 0): base from the prefix, one trailing newline allowed; EINVAL or ERANGE. */
    static long kstrtoull(String s) {
        String t = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        if (t.startsWith("+")) {
            t = t.substring(1);
        }
        int radix = 10;
        if (t.length() > 1 && (t.startsWith("0x") || t.startsWith("0X"))) {
            radix = 16;
            t = t.substring(2);
        } else if (t.length() > 1 && t.startsWith("0")) {
            radix = 8;
            t = t.substring(1);
        }
        if (t.isEmpty() || !t.chars().allMatch(ch -> Character.digit(ch, 16) >= 0 && Character.digit(ch, 16) < 16)) {
            throw new KernelError(Errno.EINVAL);
        }
        BigInteger v;
        try {
            v = new BigInteger(t, radix);
        } catch (NumberFormatException e) {
            throw new KernelError(Errno.EINVAL);
        }
        if (v.bitLength() > 64) {
            throw new KernelError(Errno.ERANGE);
        }
        return v.longValue();
    }

    /** kstrtobool: y/Y/1/on true, n/N/0/off false (only the first characters count); null otherwise. */
    static Boolean kstrtobool(String s) {
        if (s.isEmpty()) {
            return null;
        }
        switch (s.charAt(0)) {
            case 'y', 'Y', '1':
                return Boolean.TRUE;
            case 'n', 'N', '0':
                return Boolean.FALSE;
            case 'o', 'O':
                if (s.length() > 1) {
                    char c1 = s.charAt(1);
                    if (c1 == 'n' || c1 == 'N') {
                        return Boolean.TRUE;
                    }
                    if (c1 == 'f' || c1 == 'F') {
                        return Boolean.FALSE;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    /**
     * fops_bool: reads "Y\n"/"N\n"; a write parses with kstrtobool and, valid or not, claims the
     * whole input (debugfs_write_file_bool returns count). Read-only mode: no write operation (EINVAL).
     */
    static final class BoolFops implements FileOps {
        private final Bool v;
        private final boolean writable;
        private final boolean readable;

        BoolFops(int mode, Bool v) {
            this.v = v;
            this.writable = (mode & 0222) != 0;
            this.readable = (mode & 0444) != 0;
        }

        @Override
        public IoResult read(FileCtx c, OpenFile f, int count) {
            if (!readable) {
                throw new KernelError(Errno.EINVAL);
            }
            return readFromBuffer(c, f, count, (v.get() ? "Y\n" : "N\n").getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public IoResult write(FileCtx c, OpenFile f, byte[] data) {
            if (!writable) {
                throw new KernelError(Errno.EINVAL);
            }
            // kstrtobool_from_user copies at most 31 bytes.
            byte[] in = c.copyFromUser(Arrays.copyOf(data, Math.min(data.length, 31)));
            Boolean b = kstrtobool(new String(in, StandardCharsets.US_ASCII));
            if (b != null) {
                v.set(b);
            }
            return IoResult.Done.of(data.length);
        }
    }

    /** fops_blob: read-only (no write operation: EINVAL); seekable. */
    record BlobFops(Blob blob) implements FileOps {
        @Override
        public IoResult read(FileCtx c, OpenFile f, int count) {
            return readFromBuffer(c, f, count, blob.data);
        }
    }
}
